// The `agent-control-plane/ai-sdk` subpath: governs AI SDK (`ai` 6.x) tools and model calls.
export { type AiApprovalRequested, type AiToolMapping, governAiTool, ticketIdOf } from "./govern-ai-tool.js";
export {
  type GovernModelCallsOptions,
  governModelCalls,
  type ModelCallEstimate,
} from "./govern-model-calls.js";
export {
  GovernanceRefusal,
  outputOrRefusal,
  REFUSAL_STATUSES,
  type RefusalStatus,
} from "./governance-refusal.js";
