import type { Command } from "commander";
import type { CliIo } from "../io.js";
import { runWorker, type WorkerArgs } from "../worker-command.js";

const STORAGE_HELP = {
  sqlite: "an existing SQLite database file of the control plane",
  postgres: "a PostgreSQL connection string (ACP_DATABASE_URL stands in for it)",
  schema: "the PostgreSQL schema (default: public)",
  policy: "a default policy to load (optional: maintenance uses each session's frozen snapshot)",
};

/** Runs the worker until SIGINT/SIGTERM (or one pass when `once`). */
async function runUntilSignal(io: CliIo, args: WorkerArgs): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await runWorker(args, io.out, controller.signal, io.env);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

/** Adds the storage options of `acp worker` and `acp recover`: `--sqlite`, `--postgres`, `--schema`, `--policy`. */
function withStorageOptions(command: Command): Command {
  return command
    .option("--sqlite <file>", STORAGE_HELP.sqlite)
    .option("--postgres <url>", STORAGE_HELP.postgres)
    .option("--schema <name>", STORAGE_HELP.schema)
    .option("--policy <file>", STORAGE_HELP.policy)
    .option("--audit-key <file>", "the audit key file: seal a signed checkpoint of the log when it grew");
}

/**
 * Registers the offline maintenance commands on a database: `acp worker` (maintenance loop until stopped;
 * safe in several processes) and `acp recover` (one pass, its report printed as JSON).
 */
export function registerMaintenanceCommand(program: Command, io: CliIo): void {
  const worker = program
    .command("worker")
    .summary("Run maintenance (lease recovery, ticket expiry and escalation) until stopped")
    .description(
      "Runs maintenance (lease recovery, ticket expiry and escalation) until SIGINT/SIGTERM; safe in several processes.",
    )
    .usage("(--sqlite <file> | --postgres <url> [--schema <name>]) [--interval 5s] [--policy <file>]");
  withStorageOptions(worker)
    .option("--interval <dur>", "time between passes, e.g. 500ms, 5s, 1m (default: 5s)")
    .action((options: WorkerArgs) => runUntilSignal(io, options));

  const recover = program
    .command("recover")
    .summary("Run one recovery pass and print what it did")
    .description(
      "Runs one recovery pass (expired leases, stuck cycles, due tickets) and prints what it did as JSON.",
    )
    .usage("(--sqlite <file> | --postgres <url> [--schema <name>]) [--policy <file>]");
  withStorageOptions(recover).action((options: WorkerArgs) => runUntilSignal(io, { ...options, once: true }));
}
