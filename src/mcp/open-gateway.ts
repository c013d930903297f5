/**
 * Wires the governed gateway for the shells: the structural handle they use, and the `/mcp` endpoint of
 * `acp serve --mcp-config` on the server's control plane (`acp mcp-proxy` opens its own storage in
 * src/cli/open-mcp-proxy.ts).
 */
import type { ControlPlane } from "../control-plane/control-plane.js";
import type { Storage } from "../storage/storage.js";
import { loadMcpConfig } from "./config.js";
import { createMcpGateway, type McpGateway } from "./gateway.js";
import type { McpGatewayHandle } from "./gateway-handle.js";
import { storagePins } from "./gateway-pins.js";
import { createMcpHttpEndpoint, type McpHttpEndpoint } from "./http-endpoint.js";

/** The shells' view of a gateway: one server per client connection, acting as the caller's agent. */
export function gatewayHandle(gateway: McpGateway): McpGatewayHandle {
  return {
    createServer: (caller) =>
      gateway.serverFor({
        agentId: caller.agentId,
        ...(caller.sessionKey !== undefined ? { sessionKey: caller.sessionKey } : {}),
      }),
    close: () => gateway.close(),
  };
}

/** What `acp serve --mcp-config` mounts at `/mcp`. */
export type ServedMcp = McpHttpEndpoint;

/**
 * Opens the proxy of `file` on an existing control plane (`acp serve`): the config's storage and policy are
 * not used — the server's database and default policy are.
 * @throws ValidationError for a bad config.
 */
export async function openServedMcp(
  file: string,
  controlPlane: ControlPlane,
  storage: Storage,
  log: (line: string) => void,
): Promise<ServedMcp> {
  const config = loadMcpConfig(file);
  if (config.policy !== undefined) {
    log(`mcp: ${file}: its storage and policy are not used here; the server's database and --policy apply`);
  }
  const gateway = await createMcpGateway({ controlPlane, config, log, pins: storagePins(storage) });
  return createMcpHttpEndpoint({
    gateway: gatewayHandle(gateway),
    onError: (error) => log(`mcp: ${error.message}`),
  });
}
