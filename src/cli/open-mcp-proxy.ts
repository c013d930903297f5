/**
 * What `acp mcp-proxy --config <file>` serves: the config, its storage and control plane, and the gateway.
 * Loaded on demand by the command (it pulls in the MCP SDK).
 */
import type { ControlPlane } from "../control-plane/control-plane.js";
import { createControlPlane } from "../control-plane/create-control-plane.js";
import { loadMcpConfig } from "../mcp/config.js";
import { createMcpGateway } from "../mcp/gateway.js";
import type { McpGatewayHandle } from "../mcp/gateway-handle.js";
import { storagePins } from "../mcp/gateway-pins.js";
import { gatewayHandle } from "../mcp/open-gateway.js";
import { openStorage } from "./open-storage.js";

/** A policy that denies every action: what the proxy runs when its config names no policy. */
const DENY_ALL_POLICY = { version: 1, name: "deny-all" } as const;

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
  let controlPlane: ControlPlane | undefined;
  try {
    if (config.policy === undefined) log("acp mcp-proxy: no policy in the config: every call is denied");
    controlPlane = await createControlPlane({ storage, policy: config.policy ?? DENY_ALL_POLICY });
    const cp = controlPlane;
    const gateway = await createMcpGateway({ controlPlane: cp, config, log, pins: storagePins(storage) });
    const where = "sqlite" in config.storage ? `sqlite ${config.storage.sqlite}` : "postgres";
    return {
      gateway: gatewayHandle(gateway),
      agentId: config.agentId,
      describe: `${Object.keys(config.mcpServers).join(", ") || "no upstreams"} (${where})`,
      async close() {
        await cp.close();
        await storage.close();
      },
    };
  } catch (error) {
    await controlPlane?.close().catch(() => undefined);
    await storage.close().catch(() => undefined);
    throw error;
  }
}
