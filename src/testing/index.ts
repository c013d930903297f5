export { storedApiToken } from "./conformance/api-tokens.js";
export type { ConformanceContext } from "./conformance/fixtures.js";
export { proposalRecord, sessionRecord, ticketRecord } from "./conformance/fixtures.js";
export { newDelivery, outboxCases } from "./conformance/outbox.js";
export { createFakeClock, type FakeClock } from "./fake-clock.js";
export {
  type ConformanceSubject,
  describeStorageConformance,
  type StorageConformanceOptions,
} from "./storage-conformance.js";
