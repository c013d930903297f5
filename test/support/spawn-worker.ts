import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** A running child process that prints one JSON message per line. */
export interface Worker {
  readonly child: ChildProcess;
  /** Resolves with the first message matching `predicate`; rejects if the process exits first. */
  next<T>(predicate: (message: Record<string, unknown>) => boolean): Promise<T>;
  /** Resolves with the last message once the process exited with code 0; rejects otherwise. */
  done<T>(): Promise<T>;
}

/** Starts `node --import tsx <fixture> <json>` from the repository root. */
export function spawnWorker(fixture: string, command: unknown): Worker {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", fixture, JSON.stringify(command)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const messages: Record<string, unknown>[] = [];
  const waiters: { predicate: (m: Record<string, unknown>) => boolean; resolve: (m: unknown) => void }[] = [];
  let buffer = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf("\n");
      if (!line.startsWith("{")) continue;
      const message = JSON.parse(line) as Record<string, unknown>;
      messages.push(message);
      for (const w of [...waiters]) {
        if (w.predicate(message)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(message);
        }
      }
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    next<T>(predicate: (m: Record<string, unknown>) => boolean) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found as T);
      return new Promise<T>((resolve, reject) => {
        waiters.push({ predicate, resolve: resolve as (m: unknown) => void });
        void exited.then((code) =>
          reject(new Error(`worker exited (${code}) first: ${stderr}${JSON.stringify(messages)}`)),
        );
      });
    },
    async done<T>() {
      const code = await exited;
      if (code !== 0)
        throw new Error(`worker failed (${code}): ${stderr}\n${JSON.stringify(messages.at(-1))}`);
      return messages.at(-1) as T;
    },
  };
}
