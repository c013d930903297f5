import { afterEach, beforeEach, describe } from "vitest";
import type { Storage } from "../storage/storage.js";
import { apiTokenCases } from "./conformance/api-tokens.js";
import { checkpointCases } from "./conformance/checkpoints.js";
import { concurrencyCases } from "./conformance/concurrency.js";
import { copyCases } from "./conformance/copies.js";
import { decisionContextCases } from "./conformance/decision-context.js";
import { eventCases } from "./conformance/events.js";
import type { ConformanceContext } from "./conformance/fixtures.js";
import { leaseAndKillSwitchCases } from "./conformance/leases-kill-switches.js";
import { outboxCases } from "./conformance/outbox.js";
import { recordCases } from "./conformance/records.js";
import { sessionRiskCases } from "./conformance/session-risk.js";
import { sessionCases } from "./conformance/sessions.js";
import { ticketCases } from "./conformance/tickets.js";
import { tokenBudgetCases } from "./conformance/token-budgets.js";
import { toolPinCases } from "./conformance/tool-pins.js";
import { transactionCases } from "./conformance/transactions.js";

/** What a conformance factory returns: a fresh, empty storage and how to dispose of it. */
export interface ConformanceSubject {
  readonly storage: Storage;
  /** Called after each case, after `storage.close()`. */
  readonly cleanup?: () => Promise<void>;
}

/** Options of {@link describeStorageConformance}. */
export interface StorageConformanceOptions {
  /** Concurrent callers in the concurrency cases (default 32). */
  readonly concurrency?: number;
}

/**
 * Registers the storage conformance suite (vitest `describe`/`it`) for one adapter: every port method and
 * guarantee, rollback, notices, committed reads, and concurrency cases (budget limit, seq allocation, lease,
 * decide, scope consumption, first token, outbox claims, first tool pin, session risk read-for-update). `factory` must return a fresh, empty storage for each case.
 * @example
 * import { describeStorageConformance } from "agent-control-plane/testing";
 * describeStorageConformance("memory", async () => ({ storage: createMemoryStorage() }));
 */
export function describeStorageConformance(
  name: string,
  factory: () => Promise<ConformanceSubject>,
  options: StorageConformanceOptions = {},
): void {
  describe(`storage conformance: ${name}`, () => {
    let current: ConformanceSubject | undefined;
    const ctx: ConformanceContext = {
      storage: () => {
        if (!current) throw new Error("storage conformance: no storage (factory failed?)");
        return current.storage;
      },
      concurrency: options.concurrency ?? 32,
    };
    beforeEach(async () => {
      current = await factory();
    });
    afterEach(async () => {
      const subject = current;
      current = undefined;
      if (!subject) return;
      await subject.storage.close();
      await subject.cleanup?.();
    });
    describe("transactions", () => transactionCases(ctx));
    describe("sessions", () => sessionCases(ctx));
    describe("tickets", () => ticketCases(ctx));
    describe("returned records are copies", () => copyCases(ctx));
    describe("leases and kill switches", () => leaseAndKillSwitchCases(ctx));
    describe("events", () => eventCases(ctx));
    describe("policies, agents, proposals, idempotency", () => recordCases(ctx));
    describe("decision context", () => decisionContextCases(ctx));
    describe("api tokens", () => apiTokenCases(ctx));
    describe("notification outbox", () => outboxCases(ctx));
    describe("mcp tool pins", () => toolPinCases(ctx));
    describe("audit checkpoints", () => checkpointCases(ctx));
    describe("session risk", () => sessionRiskCases(ctx));
    describe("token budgets", () => tokenBudgetCases(ctx));
    describe("concurrency", () => concurrencyCases(ctx));
  });
}
