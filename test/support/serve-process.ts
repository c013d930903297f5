import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const CLI = resolve(ROOT, "src/cli/acp.ts");

/** A running `acp serve` child process. */
export interface ServeProcess {
  readonly process: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Resolves with the first stdout line matching `pattern` (waiting for it); rejects if the process ends first. */
  waitForLine(pattern: RegExp): Promise<string>;
}

/** A started server: where it listens and the admin token it printed, if any. */
export interface StartedServe extends ServeProcess {
  readonly url: string;
  readonly adminToken: string | undefined;
}

/** Spawns `acp serve …args` (through tsx, so that signals reach the server itself). */
export function spawnServe(args: readonly string[], env: NodeJS.ProcessEnv = {}): ServeProcess {
  const proc = spawn(process.execPath, ["--import", "tsx", CLI, "serve", ...args], {
    cwd: ROOT,
    env: { ...process.env, ACP_DATABASE_URL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let buffer = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  let ended = false;
  const exited = new Promise<number | string>((done) => {
    proc.on("exit", (code, signal) => {
      ended = true;
      for (const w of [...waiters]) w();
      done(code ?? signal ?? "unknown");
    });
  });
  return {
    process: proc,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine: (pattern) =>
      new Promise<string>((found, fail) => {
        const check = () => {
          const line = lines.find((l) => pattern.test(l));
          if (line !== undefined) {
            waiters.delete(check);
            found(line);
          } else if (ended) {
            waiters.delete(check);
            fail(new Error(`acp serve ended without printing ${pattern}:\n${lines.join("\n")}\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

/**
 * Starts `acp serve --port 0 …args`, waits until it is ready, and parses the URL it listens on and the admin
 * token it printed (text log format only).
 */
export async function startServe(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<StartedServe> {
  const p = spawnServe(["--port", "0", ...args], env);
  const banner = await p.waitForLine(/acp serve listening on http:\/\//);
  await p.waitForLine(/acp serve: ready/);
  const url = /listening on (http:\/\/\S+)/.exec(banner)![1]!;
  const first = p.lines.findIndex((l) => l.includes("First start: created an admin token"));
  const adminToken = first < 0 ? undefined : p.lines[first + 2]!.trim();
  return { ...p, url, adminToken };
}

/** `fetch(url + path)` with a bearer token and a JSON body. */
export function call(
  url: string,
  path: string,
  init: { token?: string; body?: unknown; method?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return fetch(url + path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}
