export {
  approverGroup,
  firstDeadline,
  NO_DEADLINE,
  type SettleOutcome,
  settleDueTicket,
} from "./approval-timeouts.js";
export { type LeaseRecovery, recoverExpiredLeases } from "./recover-leases.js";
