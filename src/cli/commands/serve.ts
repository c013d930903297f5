import type { Command } from "commander";
import { loadServeConfig, type ServeFlags } from "../../server/load-serve-config.js";
import { runServe } from "../../server/run-serve.js";
import type { CliIo } from "../io.js";

/** What commander parses from `acp serve …` (camelCase of the long options). */
interface ServeCommandOptions extends ServeFlags {}

/**
 * Runs `acp serve` with parsed options until SIGTERM/SIGINT (graceful shutdown). A second signal exits at once
 * with 1. Failures reject and `acp` reports them: exit 2 for a bad command line or config file (the message
 * names the flag, or the file and the path in it), 1 for any other failure (port in use, database unreachable).
 */
async function serveUntilSignal(options: ServeCommandOptions, io: CliIo): Promise<void> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      io.err(`acp serve: ${signal} again: exiting without waiting`);
      process.exit(1);
    }
    controller.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await runServe({ config: loadServeConfig(options), out: io.out, signal: controller.signal });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/**
 * Registers `acp serve` on a commander program: the control plane as an HTTP server (see docs/deployment.md).
 * See {@link serveUntilSignal} for its exit codes.
 */
export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command("serve")
    .description(
      "run the control plane as an HTTP server: the v1 API, bearer-token auth, maintenance loop and request log, " +
        "until SIGTERM/SIGINT (graceful shutdown)",
    )
    .option(
      "--sqlite <file>",
      "SQLite database file, created with its directory if missing (default: ./acp.db)",
    )
    .option("--postgres <url>", "PostgreSQL connection string (ACP_DATABASE_URL stands in for it)")
    .option("--schema <name>", "PostgreSQL schema (default: public)")
    .option("--policy <file>", "default policy of new sessions (without it every action is denied)")
    .option("--host <host>", "interface to listen on (default: 127.0.0.1)")
    .option("--port <port>", "TCP port; 0 picks a free one (default: 7400)")
    .option(
      "--config <file>",
      "YAML or JSON config file (schema/serve-config.schema.json); flags override it",
    )
    .option(
      "--mcp-config <file>",
      "also serve the governed MCP proxy of this config file at /mcp (Streamable HTTP, agent tokens; docs/mcp.md)",
    )
    .option("--log-format <format>", "text or json (default: text)")
    .option("--maintenance-interval <duration>", "time between maintenance passes, e.g. 5s (default: 5s)")
    .option("--shutdown-grace <duration>", "longest wait for in-flight requests on shutdown (default: 10s)")
    .action((options: ServeCommandOptions) => serveUntilSignal(options, io));
}
