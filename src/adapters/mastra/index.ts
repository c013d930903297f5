// The `agent-control-plane/mastra` subpath: governs Mastra (`@mastra/core` 0.24) tools, duck-typed.
export { GovernanceRefusal, REFUSAL_STATUSES, type RefusalStatus } from "../ai-sdk/governance-refusal.js";
export {
  governMastraTool,
  type MastraApprovalRequested,
  type MastraToolContext,
  type MastraToolInput,
  type MastraToolLike,
  type MastraToolMapping,
  type MastraToolOptions,
} from "./govern-mastra-tool.js";
