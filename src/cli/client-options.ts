import { type Command, InvalidArgumentError } from "commander";
import { parseDuration } from "../types/policy.js";
import { type ApiClient, createApiClient } from "./api-client.js";
import { type CliIo, usageError } from "./io.js";

/** Where the CLI looks for a server when neither `--url` nor `ACP_URL` is given. */
export const DEFAULT_URL = "http://127.0.0.1:7400";

/** The options every command that talks to a server accepts. */
export interface ClientOptions {
  readonly url?: string | undefined;
  readonly token?: string | undefined;
  readonly json?: boolean | undefined;
}

/** Adds `--url`, `--token` and `--json` to a command that talks to a running server. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option("--url <url>", `server URL (env ACP_URL; default ${DEFAULT_URL})`)
    .option("--token <token>", "bearer token (env ACP_TOKEN)")
    .option("--json", "print machine-readable JSON instead of a table");
}

/** The API client for a command's options: `--url` / `ACP_URL`, `--token` / `ACP_TOKEN`. */
export function clientFor(io: CliIo, options: ClientOptions): ApiClient {
  return createApiClient({
    url: options.url ?? io.env.ACP_URL ?? DEFAULT_URL,
    token: options.token ?? io.env.ACP_TOKEN,
  });
}

/** Commander argument parser for an integer in `[min, max]`. */
export function intArg(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    }
    return n;
  };
}

/**
 * Commander argument parser for a repeatable, comma-separated list of `values` (`--status a,b --status c`);
 * an unknown value is a usage error naming `option`, the `kind` of value and the allowed ones.
 */
export function enumListArg(
  option: string,
  kind: string,
  values: readonly string[],
): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => {
    const all = [...(previous ?? []), ...value.split(",").map((s) => s.trim())];
    const bad = all.find((s) => !values.includes(s));
    if (bad !== undefined) throw usageError(`${option}: unknown ${kind} "${bad}" (${values.join(", ")})`);
    return all;
  };
}

/** Commander argument parser for a duration such as `90s`, `1h`, `30d` (milliseconds, > 0). */
export function durationArg(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new InvalidArgumentError('expected a duration such as "90s", "1h" or "30d".');
  return ms;
}

/** Commander argument parser for a comma-separated list (empty items dropped, at least one item). */
export function listArg(value: string): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new InvalidArgumentError("expected a comma-separated list.");
  return items;
}

/** Commander argument parser for a decimal amount such as `2.50`, kept as a string. */
export function decimalArg(value: string): string {
  if (!/^\d+(\.\d+)?$/.test(value.trim()))
    throw new InvalidArgumentError('expected a decimal amount such as "2.50".');
  return value.trim();
}

/**
 * Makes options of `cmd` required (given by their long flag, e.g. `--reason`). Checked just before the action,
 * after commander's own checks, so that an unknown option or a missing argument is reported first (commander's
 * `requiredOption` would report the missing option instead).
 */
export function requireOptions(cmd: Command, ...flags: string[]): Command {
  return cmd.hook("preAction", (_program, action) => {
    const values = action.opts();
    for (const flag of flags) {
      const option = action.options.find((o) => o.long === flag);
      if (option && values[option.attributeName()] === undefined) {
        throw usageError(`required option "${option.flags}" not specified`);
      }
    }
  });
}
