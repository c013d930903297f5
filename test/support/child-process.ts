import { type ChildProcess, spawn } from "node:child_process";

/** A spawned TypeScript child process with its stdout split into lines. */
export interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Resolves once at least `n` lines have been printed. */
  waitForLines(n: number): Promise<void>;
}

/**
 * Spawns `node --import tsx <script> ...args` from the project root; `stdin: true` keeps its standard input
 * open as a pipe (`child.process.stdin`), `env` replaces its environment.
 */
export function spawnTs(
  script: string,
  args: readonly string[],
  options: { stdin?: boolean; env?: NodeJS.ProcessEnv } = {},
): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: process.cwd(),
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    ...(options.env ? { env: options.env } : {}),
  });
  const lines: string[] = [];
  let buffer = "";
  let stderr = "";
  const waiters: { n: number; resolve: () => void }[] = [];
  proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    lines.push(...parts.filter((l) => l.length > 0));
    for (const w of [...waiters]) if (lines.length >= w.n) w.resolve();
  });
  proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    proc.on("exit", (code, signal) => {
      if (code !== 0 && signal === null) process.stderr.write(`child ${script} exited ${code}: ${stderr}\n`);
      resolve(code ?? signal ?? "unknown");
    });
  });
  return {
    process: proc,
    lines,
    exited,
    waitForLines: (n) =>
      lines.length >= n
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ n, resolve });
            void exited.then(() =>
              lines.length >= n
                ? resolve()
                : reject(new Error(`child exited after ${lines.length} lines: ${stderr}`)),
            );
          }),
  };
}

/**
 * The first JSON line `{ "step": name, … }` a child printed (one JSON object per line), waiting for it. Used
 * with the agent processes of the end-to-end and browser tests.
 */
export async function jsonStep(child: Child, name: string): Promise<Record<string, unknown>> {
  for (;;) {
    const found = child.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.step === name);
    if (found) return found;
    await child.waitForLines(child.lines.length + 1);
  }
}
