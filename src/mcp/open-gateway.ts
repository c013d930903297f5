/**
 * Wires the governed gateway for the two shells from a config file: `acp mcp-proxy` (its own storage and
 * control plane, from the config) and `acp serve --mcp-config` (the server's control plane). The one place
 * that joins the config loader, the control plane and `createMcpGateway`.
 */
import { openStorage } from "../cli/open-storage.js";
import type { ControlPlane } from "../control-plane/control-plane.js";
import { createControlPlane } from "../control-plane/create-control-plane.js";
import type { McpGatewayHandle } from "./gateway-handle.js";
import { createMcpHttpEndpoint, type McpHttpEndpoint } from "./http-endpoint.js";
import type { HeldToolReview, McpConfig } from "./types.js";

/** A policy that denies every action: what the proxy runs when its config names no policy. */
const DENY_ALL_POLICY = { version: 1, name: "deny-all" } as const;

/** The pieces the wiring needs from the gateway core and the config module (merged from their branches). */
export interface McpWiring {
  /** Reads and validates a config file. @throws ValidationError naming the file and the path in it. */
  loadConfig(file: string): McpConfig;
  /** The gateway over a control plane (`createMcpGateway`). */
  createGateway(options: {
    readonly controlPlane: ControlPlane;
    readonly config: McpConfig;
  }): McpGatewayHandle;
  /** The operator's review of held tools over the control plane's storage. */
  heldTools(controlPlane: ControlPlane): HeldToolReview | undefined;
}

let wiring: McpWiring | undefined;

/** Installs the wiring (done once by the gateway module; tests may install their own). */
export function setMcpWiring(given: McpWiring): void {
  wiring = given;
}

function requireWiring(): McpWiring {
  if (wiring === undefined) throw new Error("the MCP gateway is not available in this build");
  return wiring;
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
  const w = requireWiring();
  const config = w.loadConfig(file);
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
    const gateway = w.createGateway({ controlPlane, config });
    const where = "sqlite" in config.storage ? `sqlite ${config.storage.sqlite}` : "postgres";
    return {
      gateway,
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

/** What `acp serve --mcp-config` mounts: the `/mcp` endpoint and the held-tool review. */
export interface ServedMcp extends McpHttpEndpoint {
  readonly heldTools?: HeldToolReview;
}

/**
 * Opens the proxy of `file` on an existing control plane (`acp serve`): the config's storage and policy are
 * not used — the server's database and default policy are.
 * @throws ValidationError for a bad config.
 */
export function openServedMcp(
  file: string,
  controlPlane: ControlPlane,
  onError: (error: Error) => void,
): ServedMcp {
  const w = requireWiring();
  const config = w.loadConfig(file);
  const endpoint = createMcpHttpEndpoint({ gateway: w.createGateway({ controlPlane, config }), onError });
  const heldTools = w.heldTools(controlPlane);
  return { ...endpoint, ...(heldTools !== undefined ? { heldTools } : {}) };
}
