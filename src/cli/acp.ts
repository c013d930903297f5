#!/usr/bin/env node
/**
 * `acp` — the agent-control-plane command line.
 *   acp worker  --sqlite <file> | --postgres <url> [--schema <name>] [--interval 5s] [--policy <file>]
 *   acp recover --sqlite <file> | --postgres <url> [--schema <name>]
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { ControlPlaneError } from "../errors/control-plane-error.js";
import { runWorker } from "./worker-command.js";

const USAGE = `usage:
  acp worker  (--sqlite <file> | --postgres <url> [--schema <name>]) [--interval 5s] [--policy <file>]
      run maintenance (lease recovery, ticket expiry and escalation) until stopped; safe in several processes
  acp recover (--sqlite <file> | --postgres <url> [--schema <name>])
      run one recovery pass and print what it did`;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], out = console.log, err = console.error): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== "worker" && command !== "recover") {
    err(`acp: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        sqlite: { type: "string" },
        postgres: { type: "string" },
        schema: { type: "string" },
        interval: { type: "string" },
        policy: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    err(`acp ${command}: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    await runWorker(
      { ...(values as Record<string, string | undefined>), once: command === "recover" },
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
