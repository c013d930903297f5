#!/usr/bin/env node
/**
 * `acp` — the agent-control-plane command line (commander). Each command group lives in `commands/<group>.ts`
 * and registers itself on the program with `register<Group>Command(program, io)`.
 *   acp <command> --help   prints the options of one command; docs/cli.md lists them all.
 */
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { ControlPlaneError } from "../errors/control-plane-error.js";
import { registerAuditCommand } from "./commands/audit.js";
import { registerEventsCommand } from "./commands/events.js";
import { registerKillCommand } from "./commands/kill.js";
import { registerMaintenanceCommand } from "./commands/maintenance.js";
import { registerMcpProxyCommand } from "./commands/mcp-proxy.js";
import { registerMcpToolsCommand } from "./commands/mcp-tools.js";
import { registerMigrateCommand } from "./commands/migrate.js";
import { registerPolicyCommand } from "./commands/policy.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSessionsCommand } from "./commands/sessions.js";
import { registerTicketsCommand } from "./commands/tickets.js";
import { registerTokenBudgetsCommand } from "./commands/token-budgets.js";
import { registerTokensCommand } from "./commands/tokens.js";
import { CliError, type CliIo, EXIT } from "./io.js";

const EPILOG = `
Server commands talk to a running server: --url (env ACP_URL, default http://127.0.0.1:7400) and
--token (env ACP_TOKEN). Offline commands (policy, migrate, worker, recover, audit) work on files and databases.
Every command prints a table or text by default and JSON with --json.

Exit codes:
  0  ok
  1  failure (server error 5xx, network error, anything unexpected)
  2  usage (unknown command or option, bad argument value, request rejected as invalid: 400/422)
  3  not found (404)
  4  conflict (409, e.g. a ticket already decided)
  5  auth (401 missing or bad token, 403 role not allowed)`;

/** The package version (src/cli and dist/cli both sit two levels below package.json). */
function packageVersion(): string {
  try {
    const url = new URL("../../package.json", import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Builds the `acp` program writing to `io` (a fresh one per run: commander keeps parse state). */
export function createProgram(io: CliIo): Command {
  const program = new Command("acp");
  program
    .description("Operate an agent-control-plane: approve, halt and audit agents; maintain the database.")
    .usage("<command> [options]")
    .version(packageVersion(), "-V, --version", "print the version")
    .configureHelp({ styleTitle: (title) => title.toLowerCase(), sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, "")),
      writeErr: (text) => io.err(text.replace(/\n$/, "")),
      // Commander quotes names with '…'; we name them with "…" and prefix our own name.
      outputError: (text, write) => write(text.replace(/^error: /, "acp: ").replace(/'([^'\n]*)'/g, '"$1"')),
    })
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .addHelpText("after", EPILOG);

  registerTicketsCommand(program, io);
  registerSessionsCommand(program, io);
  registerKillCommand(program, io);
  registerEventsCommand(program, io);
  registerTokensCommand(program, io);
  registerTokenBudgetsCommand(program, io);
  registerPolicyCommand(program, io);
  registerMigrateCommand(program, io);
  registerMaintenanceCommand(program, io);
  registerServeCommand(program, io);
  registerMcpProxyCommand(program, io);
  registerMcpToolsCommand(program, io);
  registerAuditCommand(program, io);
  return program;
}

/** The full name of the command being run, e.g. `acp tickets approve`. */
function commandPath(cmd: Command | undefined): string {
  const names: string[] = [];
  for (let c = cmd; c; c = c.parent ?? undefined) names.unshift(c.name());
  return names.join(" ") || "acp";
}

/** Prints what went wrong and returns the exit code for it. */
function report(io: CliIo, error: unknown, where: string): number {
  if (error instanceof CommanderError) {
    // Help and version exit 0; `acp` alone prints its help and exits 2; every parse error is a usage error.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof CliError) {
    io.err(`${where}: ${error.message}`);
    for (const line of error.lines) io.err(line);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`${where}: ${message}`);
  if (error instanceof ControlPlaneError) {
    if (error.code === "validation_failed" || error.code === "policy_invalid") return EXIT.usage;
    if (error.code === "not_found") return EXIT.notFound;
  }
  return EXIT.failure;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code (see `acp --help`):
 * 0 ok, 1 failure, 2 usage, 3 not found, 4 conflict, 5 auth.
 */
export async function main(
  argv: readonly string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const io: CliIo = { out, err, env };
  const program = createProgram(io);
  let running: Command | undefined;
  program.hook("preAction", (_program, action) => {
    running = action;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    return report(io, error, commandPath(running));
  }
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
