import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { StorageSpec } from "./storage-spec.js";

const FIXTURE = "test/fixtures/control-plane-command-worker.ts";

/** A control plane running in a child process, driven over stdin (see the fixture). */
export interface CommandWorker {
  readonly pid: number;
  /** Calls a ControlPlane method in the child; resolves with the whole reply (`result`, `ok`, extras). */
  send<T = unknown>(method: string, ...args: unknown[]): Promise<Reply<T>>;
  /** Calls a method and resolves with its result; rejects with the child's error message. */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  /** Resolves with the first event line (`{"event": ...}`) matching `predicate`, past or future. */
  event(predicate: (message: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves once the child's change-notice subscription number `n` (1-based) is live. */
  subscribed(n: number): Promise<void>;
  /** Asks the child to exit and waits for it. */
  stop(): Promise<void>;
}

/** A reply line of the command worker. */
export interface Reply<T> {
  readonly id: number;
  readonly ok: boolean;
  readonly result: T;
  readonly error?: string;
  readonly code?: string;
  readonly resolvedAt?: number;
  readonly notices?: number;
}

/** Starts the command worker on `storage`; resolves once its control plane is ready. */
export async function startCommandWorker(options: {
  storage: StorageSpec;
  pollIntervalMs?: number;
  lockTtlMs?: number;
}): Promise<CommandWorker> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, JSON.stringify(options)], {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  let buffer = "";
  let nextId = 1;
  const pending = new Map<number, (reply: Reply<unknown>) => void>();
  const events: Record<string, unknown>[] = [];
  const eventWaiters: { predicate: (m: Record<string, unknown>) => boolean; resolve: (m: never) => void }[] =
    [];
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const died = exited.then((code) => {
    throw new Error(`command worker exited (${code}): ${stderr}`);
  });
  died.catch(() => {});
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith("{")) continue;
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.id === "number") {
        pending.get(message.id)?.(message as unknown as Reply<unknown>);
        pending.delete(message.id);
        continue;
      }
      events.push(message);
      for (const w of [...eventWaiters]) {
        if (w.predicate(message)) {
          eventWaiters.splice(eventWaiters.indexOf(w), 1);
          w.resolve(message as never);
        }
      }
    }
  });
  const event = (predicate: (m: Record<string, unknown>) => boolean) => {
    const found = events.find(predicate);
    if (found) return Promise.resolve(found);
    return Promise.race([
      new Promise<Record<string, unknown>>((resolve) => eventWaiters.push({ predicate, resolve })),
      died,
    ]);
  };
  const send = <T>(method: string, ...args: unknown[]): Promise<Reply<T>> => {
    const id = nextId++;
    const reply = new Promise<Reply<T>>((resolve) =>
      pending.set(id, resolve as (reply: Reply<unknown>) => void),
    );
    child.stdin!.write(`${JSON.stringify({ id, method, args })}\n`);
    return Promise.race([reply, died]);
  };
  await event((m) => m.event === "ready");
  return {
    pid: child.pid!,
    send,
    async call<T>(method: string, ...args: unknown[]) {
      const reply = await send<T>(method, ...args);
      if (!reply.ok) throw new Error(`${method} failed in the child: ${reply.code ?? ""} ${reply.error}`);
      return reply.result;
    },
    event,
    async subscribed(n) {
      await event((m) => m.event === "subscribed" && (m.count as number) >= n);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin!.write(`${JSON.stringify({ id: 0, method: "exit" })}\n`);
        child.stdin!.end();
      }
      await exited;
    },
  };
}
