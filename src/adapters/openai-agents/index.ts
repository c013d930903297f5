// The `agent-control-plane/openai-agents` subpath: governed `@openai/agents` tools (needsApproval answered by the
// control plane, a pre-execution guardrail, kill-switch aborts) and interruption helpers resumable in any process.
export { type AgentsToolMapping, identityFromContext, type RunIdentity } from "./call-context.js";
export { GOVERNANCE_GUARDRAIL_NAME } from "./governance-guardrail.js";
export { governedTool } from "./governed-tool.js";
export {
  type ApprovalRequest,
  approvalRequests,
  type InterruptedRun,
  type InterruptionResolution,
  type ResumableState,
  resolveInterruptions,
  type TicketsByCall,
} from "./interruptions.js";
export { isGovernedTool } from "./tool-governance.js";
