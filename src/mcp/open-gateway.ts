/**
 * Wires the governed gateway for the two shells from a config file: `acp mcp-proxy` (its own storage and
 * control plane, from the config) and `acp serve --mcp-config` (the server's control plane). The one place
 * that joins the config loader, the control plane and `createMcpGateway`.
 */
import { openStorage } from "../cli/open-storage.js";
import type { ControlPlane } from "../control-plane/control-plane.js";
import { createControlPlane } from "../control-plane/create-control-plane.js";
import type { Storage } from "../storage/storage.js";
import { loadMcpConfig } from "./config.js";
import { createMcpGateway, type McpGateway } from "./gateway.js";
import type { McpGatewayHandle } from "./gateway-handle.js";
import { storagePins } from "./gateway-pins.js";
import { createMcpHttpEndpoint, type McpHttpEndpoint } from "./http-endpoint.js";

/** A policy that denies every action: what the proxy runs when its config names no policy. */
const DENY_ALL_POLICY = { version: 1, name: "deny-all" } as const;

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

/** An opened stdio proxy: its gateway, the agent the client acts as, and how to close the rest. */
export interface OpenedMcpProxy {
  readonly gateway: McpGatewayHandle;
  readonly agentId: string;
  /** For humans: the storage and the upstream servers. */
  readonly describe: string;
  /** Closes the control plane and the storage (the gateway is closed by the shell). */
  close(): Promise<void>;
}

/**
 * Opens what `acp mcp-proxy --config <file>` serves: the config, its storage (the same database an
 * `acp serve` uses; a SQLite file is created when missing), a control plane with the config's policy, and
 * the gateway. `log` receives diagnostics (stderr).
 * @throws ValidationError for a bad config or policy, before anything is started.
 */
export async function openMcpProxy(file: string, log: (line: string) => void): Promise<OpenedMcpProxy> {
  const config = loadMcpConfig(file);
  const storage = await openStorage(
    "sqlite" in config.storage
      ? { sqlite: config.storage.sqlite }
      : { postgres: config.storage.postgres, schema: config.storage.schema },
    {},
    { create: true },
  );
  try {
    if (config.policy === undefined) log("acp mcp-proxy: no policy in the config: every call is denied");
    const controlPlane = await createControlPlane({ storage, policy: config.policy ?? DENY_ALL_POLICY });
    const gateway = await createMcpGateway({ controlPlane, config, log, pins: storagePins(storage) });
    const where = "sqlite" in config.storage ? `sqlite ${config.storage.sqlite}` : "postgres";
    return {
      gateway: gatewayHandle(gateway),
      agentId: config.agentId,
      describe: `${Object.keys(config.mcpServers).join(", ") || "no upstreams"} (${where})`,
      async close() {
        await controlPlane.close();
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close().catch(() => undefined);
    throw error;
  }
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
