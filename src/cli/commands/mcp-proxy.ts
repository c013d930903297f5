import type { Command } from "commander";
import { type CliIo, usageError } from "../io.js";

/** What commander parses from `acp mcp-proxy …`. */
interface McpProxyOptions {
  readonly config: string;
}

/**
 * Runs `acp mcp-proxy`: opens the storage and policy named by the config, the gateway and its upstreams, and
 * serves MCP over stdin/stdout until the client closes stdin or SIGTERM/SIGINT arrives. stdout carries only
 * the protocol: every message of ours goes to stderr (`io.err`). A bad config rejects (exit 2, naming the file
 * and the path in it) before anything is started.
 */
async function runProxy(options: McpProxyOptions, io: CliIo): Promise<void> {
  // Loaded on demand: the MCP SDK is needed by this command only.
  const { openMcpProxy } = await import("../open-mcp-proxy.js");
  const { runStdioProxy } = await import("../../mcp/stdio-proxy.js");
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => controller.abort(signal);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const opened = await openMcpProxy(options.config, io.err);
    try {
      io.err(`acp mcp-proxy: serving ${opened.describe} over stdio as agent "${opened.agentId}"`);
      const end = await runStdioProxy({
        gateway: opened.gateway,
        agentId: opened.agentId,
        log: io.err,
        signal: controller.signal,
      });
      io.err(
        `acp mcp-proxy: stopped (${end === "signal" ? String(controller.signal.reason) : "stdin closed"})`,
      );
    } finally {
      await opened.close();
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Registers `acp mcp-proxy --config <file>`: the governed MCP proxy over stdio (see docs/mcp.md). */
export function registerMcpProxyCommand(program: Command, io: CliIo): void {
  program
    .command("mcp-proxy")
    .description(
      "run the governed MCP proxy over stdio: every tools/call of the MCP client becomes a proposal " +
        "(logs on stderr; stops when stdin closes or on SIGTERM)",
    )
    .usage("--config <file>")
    // Checked in the action rather than as a required option, so that a misspelt option is named first.
    .option(
      "--config <file>",
      "MCP proxy config, YAML or JSON (storage, policy, mcpServers, tools); required",
    )
    .action((options: Partial<McpProxyOptions>) => {
      if (options.config === undefined) throw usageError('required option "--config <file>" not specified');
      return runProxy({ ...options, config: options.config }, io);
    });
}
