import {
  type CallToolResult,
  Client,
  StreamableHTTPClientTransport,
  type Tool,
} from "@modelcontextprotocol/client";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type { UpstreamConfig } from "./types.js";

/** Options of {@link createUpstream}. */
export interface UpstreamOptions {
  /** Called with the full tool list after every (re)listing: first connect, `tools/list_changed`, restart. */
  readonly onTools: (server: string, tools: readonly Tool[]) => void;
  /** Called when the upstream says its prompts or resources changed (the gateway tells its clients). */
  readonly onListChanged?: (kind: "prompts" | "resources") => void;
  /** Diagnostic lines (connection lost, restart scheduled…). */
  readonly log: (line: string) => void;
  /** First restart delay after the upstream died (doubles up to `maxBackoffMs`). Default 250 ms. */
  readonly backoffMs?: number;
  /** Longest restart delay. Default 10 s. */
  readonly maxBackoffMs?: number;
}

/** Per-call options of {@link Upstream.callTool}. */
export interface UpstreamCallOptions {
  /** Aborting sends `notifications/cancelled` upstream and rejects the call. */
  readonly signal?: AbortSignal;
  /** Longest wait for the upstream's answer (ms); progress notifications reset it. */
  readonly timeoutMs: number;
  /** Receives the upstream's progress notifications for this call. */
  readonly onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

/** One upstream MCP server the gateway forwards to, reconnected with backoff when it dies. */
export interface Upstream {
  readonly name: string;
  /** Whether a connection is up now. */
  readonly connected: boolean;
  /** Connects and lists the tools; rejects when the first attempt fails (a restart is then scheduled). */
  start(): Promise<void>;
  /** The SDK client of the live connection (for pass-through of resources, prompts…), if connected. */
  client(): Client | undefined;
  /**
   * Calls one tool upstream.
   * @throws UpstreamUnavailableError when the upstream is down (restarting); SDK errors from the call.
   */
  callTool(
    tool: string,
    args: Record<string, unknown>,
    options: UpstreamCallOptions,
  ): Promise<CallToolResult>;
  /** Closes the connection (and the child process) for good. */
  close(): Promise<void>;
}

/** The upstream is not connected (it died and is being restarted, or never came up). */
export class UpstreamUnavailableError extends Error {
  constructor(readonly server: string) {
    super(`upstream MCP server "${server}" is not connected (restarting)`);
    this.name = "UpstreamUnavailableError";
  }
}

/** Creates the connection manager of one upstream server (nothing happens before `start()`). */
export function createUpstream(name: string, config: UpstreamConfig, options: UpstreamOptions): Upstream {
  const firstBackoff = options.backoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 10_000;
  let current: Client | undefined;
  let closed = false;
  let backoff = firstBackoff;
  let restartTimer: NodeJS.Timeout | undefined;

  const transport = () =>
    config.transport === "stdio"
      ? new StdioClientTransport({
          command: config.command,
          args: [...config.args],
          env: { ...getDefaultEnvironment(), ...config.env },
          ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
          stderr: "inherit",
        })
      : new StreamableHTTPClientTransport(new URL(config.url), {
          requestInit: { headers: { ...config.headers } },
        });

  const relist = async (client: Client) => {
    const { tools } = await client.listTools();
    if (client === current) options.onTools(name, tools);
  };

  const scheduleRestart = () => {
    if (closed || restartTimer) return;
    const delay = backoff;
    backoff = Math.min(backoff * 2, maxBackoff);
    options.log(`upstream ${name}: restarting in ${delay} ms`);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      connect().catch((error: unknown) => {
        options.log(`upstream ${name}: restart failed: ${message(error)}`);
        scheduleRestart();
      });
    }, delay);
    restartTimer.unref();
  };

  const connect = async () => {
    const client = new Client(
      { name: "agent-control-plane-mcp-gateway", version: "0.1.0" },
      {
        listChanged: {
          tools: {
            onChanged: (error, tools) => {
              if (error) options.log(`upstream ${name}: re-listing tools failed: ${message(error)}`);
              else if (tools && client === current) options.onTools(name, tools);
            },
          },
          prompts: { onChanged: () => options.onListChanged?.("prompts") },
          resources: { onChanged: () => options.onListChanged?.("resources") },
        },
      },
    );
    client.onclose = () => {
      if (client !== current) return;
      current = undefined;
      if (!closed) {
        options.log(`upstream ${name}: connection lost`);
        scheduleRestart();
      }
    };
    await client.connect(transport());
    if (closed) {
      await client.close();
      return;
    }
    current = client;
    await relist(client);
    backoff = firstBackoff;
  };

  return {
    name,
    get connected() {
      return current !== undefined;
    },
    async start() {
      try {
        await connect();
      } catch (error) {
        scheduleRestart();
        throw error;
      }
    },
    client: () => current,
    async callTool(tool, args, call) {
      const client = current;
      if (!client) throw new UpstreamUnavailableError(name);
      return (await client.callTool(
        { name: tool, arguments: args },
        {
          timeout: call.timeoutMs,
          resetTimeoutOnProgress: true,
          ...(call.signal ? { signal: call.signal } : {}),
          ...(call.onProgress ? { onprogress: call.onProgress } : {}),
        },
      )) as CallToolResult;
    },
    async close() {
      closed = true;
      if (restartTimer) clearTimeout(restartTimer);
      const client = current;
      current = undefined;
      await client?.close().catch(() => undefined);
    },
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
