/**
 * The stdio shell of the governed MCP proxy (`acp mcp-proxy`): serves the gateway to ONE MCP client over the
 * process's stdin/stdout. stdout carries only the protocol; every log line goes to the `log` sink (stderr in
 * `acp`). Ends on stdin end-of-file (the client went away) or when `signal` aborts (SIGTERM/SIGINT).
 */
import { type Readable, Transform, type Writable } from "node:stream";
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

type Answer = (code: number, message: string) => void;

/**
 * Passes stdin through unchanged and answers a line that cannot be JSON (it does not start with `{` or `[`)
 * with a parse error: the SDK's stdio transport skips such lines silently. The check looks at the line's
 * ends only, so messages are not parsed twice on the hot path.
 */
function unreadableLines(answer: Answer): Transform {
  let tail = "";
  const check = (line: string) => {
    const t = line.trim();
    if (t !== "" && !/^[[{]/.test(t)) answer(-32700, "Parse error: the line is not JSON");
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const text = tail + chunk.toString("utf8");
      const lines = text.split("\n");
      tail = lines.pop() ?? "";
      for (const line of lines) check(line);
      done(null, chunk);
    },
  });
}

/**
 * Serves the gateway over stdio until the client closes stdin or `signal` aborts, then closes the connection
 * and the gateway (its upstream processes). Resolves with why it ended. A line that is not JSON gets -32700 and
 * a JSON value that is not a JSON-RPC message -32600, both with `id: null` (JSON-RPC 2.0 §5: its id could not
 * be read); the proxy stays up.
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
  let transport: StdioServerTransport | undefined;
  const answer: Answer = (code, message) => {
    const error = { jsonrpc: "2.0", id: null, error: { code, message } };
    transport?.send(error as unknown as Parameters<StdioServerTransport["send"]>[0]).catch(() => undefined);
  };
  const filter = unreadableLines(answer);
  transport = new StdioServerTransport(stdin.pipe(filter), stdout);
  const handle = serveStdio(() => gateway.createServer({ agentId, via: "stdio" }), {
    transport,
    onerror: (error) => {
      log(`mcp-proxy: ${error.message.split("\n")[0]}`);
      // A JSON line that is not a JSON-RPC message (the SDK reports it and reads on).
      if (error.name === "ZodError") answer(-32600, "Invalid Request: not a JSON-RPC 2.0 message");
    },
  });
  const end = await new Promise<StdioProxyEnd>((resolve) => {
    const onEnd = () => resolve("stdin_closed");
    stdin.once("end", onEnd);
    stdin.once("close", onEnd);
    if (options.signal?.aborted) resolve("signal");
    options.signal?.addEventListener("abort", () => resolve("signal"), { once: true });
  });
  await handle.close().catch((error: unknown) => log(`mcp-proxy: closing the connection: ${String(error)}`));
  // Stop reading stdin so that nothing keeps the process alive once the proxy is done.
  stdin.unpipe(filter);
  stdin.pause();
  filter.destroy();
  await gateway.close().catch((error: unknown) => log(`mcp-proxy: closing the upstreams: ${String(error)}`));
  return end;
}
