/**
 * The stdio shell of the governed MCP proxy (`acp mcp-proxy`): serves the gateway to ONE MCP client over the
 * process's stdin/stdout. stdout carries only the protocol; every log line goes to the `log` sink (stderr in
 * `acp`). Ends on stdin end-of-file (the client went away) or when `signal` aborts (SIGTERM/SIGINT).
 */
import type { Readable, Writable } from "node:stream";
import { StdioServerTransport, serveStdio } from "@modelcontextprotocol/server/stdio";
import type { McpGatewayHandle } from "./gateway-handle.js";

/** Options of {@link runStdioProxy}. */
export interface StdioProxyOptions {
  /** The governed gateway; closed when the proxy ends. */
  readonly gateway: McpGatewayHandle;
  /** The agent id the client acts as (the config's `agentId`). */
  readonly agentId: string;
  /** Where diagnostics go (never stdout). */
  readonly log: (line: string) => void;
  /** Aborting it ends the proxy (SIGTERM/SIGINT). */
  readonly signal?: AbortSignal;
  /** Protocol input (default `process.stdin`). */
  readonly stdin?: Readable;
  /** Protocol output (default `process.stdout`). */
  readonly stdout?: Writable;
}

/** Why the proxy ended. */
export type StdioProxyEnd = "stdin_closed" | "signal";

/**
 * Serves the gateway over stdio until the client closes stdin or `signal` aborts, then closes the connection
 * and the gateway (its upstream processes). Resolves with why it ended; errors on the wire are logged, never
 * thrown (a malformed message is answered by the SDK with a JSON-RPC error and the proxy stays up).
 *
 * @example
 * ```ts
 * const end = await runStdioProxy({ gateway, agentId: "desktop", log: (l) => process.stderr.write(`${l}\n`) });
 * ```
 */
export async function runStdioProxy(options: StdioProxyOptions): Promise<StdioProxyEnd> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const { gateway, agentId, log } = options;
  const transport = new StdioServerTransport(stdin, stdout);
  const handle = serveStdio(() => gateway.createServer({ agentId, via: "stdio" }), {
    transport,
    onerror: (error) => log(`mcp-proxy: ${error.message}`),
  });
  const end = await new Promise<StdioProxyEnd>((resolve) => {
    const onEnd = () => resolve("stdin_closed");
    stdin.once("end", onEnd);
    stdin.once("close", onEnd);
    if (options.signal?.aborted) resolve("signal");
    options.signal?.addEventListener("abort", () => resolve("signal"), { once: true });
  });
  await handle.close().catch((error: unknown) => log(`mcp-proxy: closing the connection: ${String(error)}`));
  await gateway.close().catch((error: unknown) => log(`mcp-proxy: closing the upstreams: ${String(error)}`));
  return end;
}
