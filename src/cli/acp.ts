#!/usr/bin/env node
/**
 * `acp` — the agent-control-plane command line.
 *   acp serve   [--sqlite <file> | --postgres <url>] [--policy <file>] [--host h] [--port p] [--config <file>]
 *   acp worker  --sqlite <file> | --postgres <url> [--schema <name>] [--interval 5s] [--policy <file>]
 *   acp recover --sqlite <file> | --postgres <url> [--schema <name>]
 *   acp <command> --help
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Command, CommanderError } from "commander";
import { ControlPlaneError } from "../errors/control-plane-error.js";
import { registerServeCommand, serveAction } from "./commands/serve.js";
import { runWorker } from "./worker-command.js";

/** Usage text of each subcommand: its synopsis, what it does and every option. */
const COMMAND_USAGE = {
  worker: `usage: acp worker (--sqlite <file> | --postgres <url> [--schema <name>]) [--interval 5s] [--policy <file>]
  Runs maintenance (lease recovery, ticket expiry and escalation) until SIGINT/SIGTERM; safe in several processes.
options:
  --sqlite <file>    an existing SQLite database file of the control plane
  --postgres <url>   a PostgreSQL connection string (ACP_DATABASE_URL stands in for it)
  --schema <name>    the PostgreSQL schema (default: public)
  --interval <dur>   time between passes, e.g. 500ms, 5s, 1m (default: 5s)
  --policy <file>    a default policy to load (optional: maintenance uses each session's frozen snapshot)
  -h, --help         print this help`,
  recover: `usage: acp recover (--sqlite <file> | --postgres <url> [--schema <name>])
  Runs one recovery pass (expired leases, stuck cycles, due tickets) and prints what it did as JSON.
options:
  --sqlite <file>    an existing SQLite database file of the control plane
  --postgres <url>   a PostgreSQL connection string (ACP_DATABASE_URL stands in for it)
  --schema <name>    the PostgreSQL schema (default: public)
  --policy <file>    a default policy to load (optional: maintenance uses each session's frozen snapshot)
  -h, --help         print this help`,
} as const;

const USAGE = `usage:
  acp serve   [--sqlite <file> | --postgres <url>] [--policy <file>] [--host <host>] [--port <port>] [--config <file>]
      run the control plane as an HTTP server until SIGTERM/SIGINT
  acp worker  (--sqlite <file> | --postgres <url> [--schema <name>]) [--interval 5s] [--policy <file>]
      run maintenance (lease recovery, ticket expiry and escalation) until stopped; safe in several processes
  acp recover (--sqlite <file> | --postgres <url> [--schema <name>])
      run one recovery pass and print what it did
  acp <command> --help
      print the options of one command`;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], out = console.log, err = console.error): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === "serve") return serve(rest, out, err);
  if (command !== "worker" && command !== "recover") {
    err(`acp: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  const usage = COMMAND_USAGE[command];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        sqlite: { type: "string" },
        postgres: { type: "string" },
        schema: { type: "string" },
        ...(command === "worker" ? { interval: { type: "string" } } : {}),
        policy: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    if (rest.includes("--help") || rest.includes("-h")) {
      out(usage);
      return 0;
    }
    err(`acp ${command}: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (values.help === true) {
    out(usage);
    return 0;
  }
  const { help: _help, ...options } = values;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await runWorker(
      { ...(options as Record<string, string | undefined>), once: command === "recover" },
      out,
      controller.signal,
    );
    return 0;
  } catch (error) {
    err(`acp ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof ControlPlaneError && error.code === "validation_failed" ? 2 : 1;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

/** `acp serve`, parsed by its commander definition (the whole CLI moves onto commander). */
async function serve(
  args: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let code: number | undefined;
  const program = new Command("acp")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: (s) => err(s.trimEnd()) });
  registerServeCommand(program);
  const serveCommand = program.commands.find((c) => c.name() === "serve")!;
  serveCommand.exitOverride().action(async (options) => {
    code = await serveAction(options, out, err);
  });
  try {
    await program.parseAsync(["serve", ...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return code ?? 0;
}

/** True when this module is the program being run (directly or through the `acp` bin link). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await main(process.argv.slice(2));
