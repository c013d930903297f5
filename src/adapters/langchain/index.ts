// The `agent-control-plane/langchain` subpath: a LangChain.js 1.x (`createAgent`) middleware governing every
// tool call through the control plane, with approvals as LangGraph interrupts.
export {
  APPROVAL_INTERRUPT_TYPE,
  type ApprovalInterrupt,
  type ApprovalResume,
  isApprovalInterrupt,
  type PendingApproval,
  pendingApprovals,
} from "./approval-interrupt.js";
export { governToolCalls } from "./govern-tool-calls.js";
export {
  type FromRequest,
  type GovernToolCallsOptions,
  type LangChainToolArgs,
  type LangChainToolMapping,
  validateGovernToolCallsOptions,
} from "./middleware-options.js";
