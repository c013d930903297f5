import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SQLITE_MIGRATIONS } from "../src/storage/sqlite/index.js";

const dir = mkdtempSync(join(tmpdir(), "acp-sqlite-mp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORKER = join(import.meta.dirname, "fixtures", "sqlite-worker.ts");

interface Worker {
  readonly child: ChildProcess;
  /** Lines printed so far. */
  readonly lines: string[];
  /** Resolves with the exit code (or signal) once the child has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startWorker(args: readonly (string | number)[], onLine?: (line: string) => void): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, ...args.map(String)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let buffer = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      onLine?.(line);
      nl = buffer.indexOf("\n");
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, lines, exited };
}

function inspect(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return {
      integrity: db.pragma("integrity_check", { simple: true }),
      migrations: db.prepare("SELECT version FROM acp_schema_migrations ORDER BY version").all() as {
        version: number;
      }[],
      session: db.prepare("SELECT * FROM acp_sessions WHERE id = 'shared'").get() as
        | { used_actions: number; last_seq: number }
        | undefined,
      seqs: (
        db.prepare("SELECT seq FROM acp_events WHERE session_id = 'shared' ORDER BY seq").all() as {
          seq: number;
        }[]
      ).map((r) => r.seq),
      proposalIds: new Set(
        (db.prepare("SELECT id FROM acp_proposals").all() as { id: string }[]).map((r) => r.id),
      ),
    };
  } finally {
    db.close();
  }
}

describe("SQLite shared by several processes", () => {
  it("8 processes × 200 attempts on a new file, budget 500 actions ⇒ exactly 500 succeed, seqs 1..n", async () => {
    const path = join(dir, "shared.db");
    const workers = Array.from({ length: 8 }, (_, w) => startWorker([path, `w${w}`, 200, 4, 500]));
    const exits = await Promise.all(workers.map((w) => w.exited));
    for (const e of exits) expect(e, e.stderr).toMatchObject({ code: 0 });
    const lines = workers.flatMap((w) => w.lines);
    const ok = lines.filter((l) => l.startsWith("ok "));
    expect(ok).toHaveLength(500);
    expect(lines.filter((l) => l === "refused")).toHaveLength(8 * 200 - 500);
    const state = inspect(path);
    expect(state.integrity).toBe("ok");
    expect(state.migrations.map((m) => m.version)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    expect(state.session).toMatchObject({ used_actions: 500, last_seq: 1000 });
    expect(state.seqs).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    // Every reported commit is in the database, with the seq it reported.
    for (const line of ok) expect(state.proposalIds.has(line.split(" ")[1]!)).toBe(true);
    expect(new Set(ok.map((l) => l.split(" ")[2])).size).toBe(500);
  });

  it("kill -9 of a child mid-run ⇒ the file opens cleanly and every reported commit is present", async () => {
    const path = join(dir, "killed.db");
    let victim: Worker | undefined;
    let killedAfter = -1;
    const reachedTarget = new Promise<void>((resolve) => {
      victim = startWorker([path, "victim", 1_000_000, 8, "none"], () => {
        const count = victim!.lines.filter((l) => l.startsWith("ok ")).length;
        if (count >= 300 && killedAfter < 0) {
          killedAfter = count;
          victim!.child.kill("SIGKILL");
          resolve();
        }
      });
    });
    const others = [startWorker([path, "o1", 300, 4, "none"]), startWorker([path, "o2", 300, 4, "none"])];
    await reachedTarget;
    const exit = await victim!.exited;
    expect(exit.signal).toBe("SIGKILL");
    for (const e of await Promise.all(others.map((w) => w.exited)))
      expect(e, e.stderr).toMatchObject({ code: 0 });
    const reported = [victim!, ...others].flatMap((w) => w.lines).filter((l) => l.startsWith("ok "));
    expect(reported.length).toBeGreaterThanOrEqual(killedAfter + 600);
    const state = inspect(path);
    expect(state.integrity).toBe("ok");
    for (const line of reported) expect(state.proposalIds.has(line.split(" ")[1]!), line).toBe(true);
    // Nothing half-done: seqs are gap-free and match the budget counter.
    expect(state.seqs).toEqual(Array.from({ length: state.seqs.length }, (_, i) => i + 1));
    expect(state.session!.used_actions * 2).toBe(state.seqs.length);
    // The file can be opened for writing again by the adapter.
    const { createSqliteStorage } = await import("../src/storage/sqlite/index.js");
    const storage = createSqliteStorage({ path });
    const session = await storage.transaction((tx) => tx.sessions.reserveBudget("shared", 0, 1, Date.now()));
    expect(session?.usedActions).toBe(state.session!.used_actions + 1);
    await storage.close();
  });
});
