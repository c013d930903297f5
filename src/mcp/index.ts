// The `agent-control-plane/mcp` subpath: the governed MCP proxy's library form (issue 11).
export {
  type CallEnv,
  type Caller,
  type CallRequest,
  type InFlightCall,
  markOutcomeUnknown,
  runToolCall,
} from "./call-pipeline.js";
export { invalidParams, proposalFor } from "./call-proposal.js";
export { DECISION_META_KEY, decisionMeta } from "./call-results.js";
export {
  createMcpGateway,
  type McpClientIdentity,
  type McpGateway,
  type McpGatewayOptions,
  sessionName,
} from "./gateway.js";
export { storagePins } from "./gateway-pins.js";
export type { McpPinObserver, RoutedTool } from "./gateway-routes.js";
export type {
  McpConfig,
  PinStatus,
  ToolMapping,
  ToolPin,
  ToolRoute,
  UpstreamConfig,
  ValueSource,
} from "./types.js";
export {
  createUpstream,
  type Upstream,
  type UpstreamCallOptions,
  type UpstreamOptions,
  UpstreamUnavailableError,
} from "./upstream.js";
