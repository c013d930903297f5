// The `agent-control-plane/mcp` subpath: the governed MCP proxy's library form — the gateway, its config, the
// tool-pin store adapters and the shells (stdio, Streamable HTTP). The call pipeline's parts stay internal.
export { DECISION_META_KEY } from "./call-results.js";
export { loadMcpConfig, parseMcpConfig } from "./config.js";
export { mcpConfigJsonSchema } from "./config-schema.js";
export {
  createMcpGateway,
  type McpClientIdentity,
  type McpGateway,
  type McpGatewayOptions,
} from "./gateway.js";
export { storagePins } from "./gateway-pins.js";
export type { McpPinObserver, RoutedTool } from "./gateway-routes.js";
export { toolPinReview } from "./tool-pins.js";
export type {
  McpConfig,
  PinStatus,
  ToolMapping,
  ToolPin,
  ToolRoute,
  UpstreamConfig,
  ValueSource,
} from "./types.js";
export { UpstreamUnavailableError } from "./upstream.js";
