export {
  approveTicket,
  denyPendingTickets,
  denyTicket,
  expireTicket,
  requestApproval,
  type TicketOutcome,
} from "./approval-gate.js";
export { type ApprovalScopeInput, resolveApprovalScope } from "./approval-scope.js";
export {
  type ApprovalParties,
  type SelfApprovalRole,
  selfApprovalError,
  selfApprovalRole,
} from "./self-approval.js";
