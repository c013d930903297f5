/**
 * SQLite and in-process pieces of `npm run bench -- limits`: the floors (a single-row commit on a file at
 * each journal mode, the storage-level group commit of 64 callers) and the governed-action figures measured
 * through the facade on the same machine in the same run.
 */
import Database from "better-sqlite3";
import { type ControlPlane, createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createMemoryStorage } from "../src/storage/memory/memory-storage.js";
import { createSqliteStorage, type SqliteStorageOptions } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import { executingProposal, sessionRecord } from "../src/testing/conformance/fixtures.js";
import { type LatencySummary, measure, summarize } from "./stats.js";

/** A journal mode and sync level of a single-row commit floor. */
export interface CommitMode {
  readonly journalMode: "wal" | "delete";
  readonly synchronous: "full" | "normal";
}

/**
 * The floor of a durable write on this disk: one INSERT, prepared once, committed on its own (autocommit:
 * SQLite wraps it in its own transaction) into a fresh file at `mode`, one caller.
 */
export async function singleRowCommit(path: string, mode: CommitMode, iterations: number) {
  const db = new Database(path);
  try {
    db.pragma(`journal_mode = ${mode.journalMode}`);
    db.pragma(`synchronous = ${mode.synchronous}`);
    db.exec("CREATE TABLE floor (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL)");
    const insert = db.prepare("INSERT INTO floor (at, body) VALUES (?, ?)");
    const name = `single-row commit, ${mode.journalMode.toUpperCase()} ${mode.synchronous.toUpperCase()}`;
    return await measure(name, (i) => insert.run(i, "x".repeat(64)), {
      iterations,
      warmup: Math.min(200, iterations),
    });
  } finally {
    db.close();
  }
}

const FLOOR_SESSION = "limits";
let floorCounter = 0;

/** A governed-action-shaped storage transaction: reserve budget, insert a proposal, append two events. */
function storageTransaction(storage: Storage): Promise<unknown> {
  const id = `p${floorCounter++}`;
  return storage.transaction(async (tx) => {
    const now = Date.now();
    if (!(await tx.sessions.reserveBudget(FLOOR_SESSION, 1_000, 1, now))) throw new Error("budget refused");
    await tx.proposals.insert(executingProposal(id, FLOOR_SESSION, now));
    await tx.events.append({
      sessionId: FLOOR_SESSION,
      kind: "proposal_decided",
      proposalId: id,
      payload: {},
      at: now,
    });
    await tx.events.append({
      sessionId: FLOOR_SESSION,
      kind: "cycle_started",
      proposalId: id,
      payload: {},
      at: now,
    });
  });
}

/**
 * The storage-level group commit floor: `callers` concurrent loops of one governed-action-shaped storage
 * transaction each on one SQLite storage (the shape of `npm run bench -- storage`), aggregate tx/s.
 */
export async function storageGroupCommit(
  options: SqliteStorageOptions,
  callers: number,
  perCaller: number,
): Promise<LatencySummary> {
  const storage = createSqliteStorage(options);
  try {
    await storage.transaction(async (tx) => {
      await tx.policies.put({ id: "policy", document: { version: 1 }, createdAt: 1 });
      await tx.sessions.insert(
        sessionRecord(FLOOR_SESSION, { agentId: "agent", policyId: "policy", createdAt: 1, updatedAt: 1 }),
      );
    });
    for (let i = 0; i < 200; i++) await storageTransaction(storage);
    return await concurrently(`storage group commit, ${callers} callers`, callers, perCaller, () =>
      storageTransaction(storage),
    );
  } finally {
    await storage.close();
  }
}

const POLICY = { version: 1, actions: { autoApprove: ["write_file"] } } as const;

async function openControlPlane(storage: Storage): Promise<ControlPlane> {
  return createControlPlane({ storage, policy: POLICY, recoverOnStart: false });
}

async function propose(cp: ControlPlane, sessionId: string, i: number): Promise<string> {
  const d = await cp.propose({ sessionId, action: "write_file", resourceId: `r${i}`, cost: "0.01" });
  if (d.outcome !== "allowed") throw new Error(`unexpected ${d.outcome}: ${d.reason}`);
  return d.proposalId;
}

/** What a one-caller governed case times: `propose` alone, or `propose` + `complete`. */
export type Timed = "propose" | "propose+complete";

/**
 * One caller's governed actions through the facade on `storage` (closed afterwards). With `timed` =
 * `"propose"` only the `propose` call is timed; the `complete` that follows it is not.
 */
export async function governedOneCaller(
  name: string,
  storage: Storage,
  timed: Timed,
  iterations: number,
): Promise<LatencySummary> {
  try {
    const cp = await openControlPlane(storage);
    const session = await cp.openSession({ name });
    const warmup = Math.min(2000, Math.ceil(iterations / 5));
    for (let i = 0; i < warmup; i++) await cp.complete(await propose(cp, session.id, -1 - i), { ok: true });
    if (timed === "propose+complete") {
      return await measure(name, async (i) => cp.complete(await propose(cp, session.id, i), { ok: true }), {
        iterations,
        warmup: 0,
      });
    }
    const samples = new Float64Array(iterations);
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      const id = await propose(cp, session.id, i);
      samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
      await cp.complete(id, { ok: true });
    }
    return summarize(name, samples, Number(process.hrtime.bigint() - start) / 1000);
  } finally {
    await storage.close();
  }
}

/** `agents` concurrent agents, one session each, doing `propose` + `complete` through one facade. */
export async function governedConcurrent(
  name: string,
  storage: Storage,
  agents: number,
  perAgent: number,
): Promise<LatencySummary> {
  try {
    const cp = await openControlPlane(storage);
    const sessions = await Promise.all(
      Array.from({ length: agents }, (_, a) => cp.openSession({ name: `a${a}` })),
    );
    for (let i = 0; i < 100; i++) await cp.complete(await propose(cp, sessions[0]!.id, -1 - i), { ok: true });
    return await concurrently(name, agents, perAgent, async (agent, i) => {
      await cp.complete(await propose(cp, sessions[agent]!.id, agent * perAgent + i), { ok: true });
    });
  } finally {
    await storage.close();
  }
}

async function concurrently(
  name: string,
  callers: number,
  perCaller: number,
  op: (caller: number, i: number) => Promise<unknown>,
): Promise<LatencySummary> {
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let i = 0; i < perCaller; i++) {
        const t0 = process.hrtime.bigint();
        await op(caller, i);
        samples.push(Number(process.hrtime.bigint() - t0) / 1000);
      }
    }),
  );
  return summarize(name, samples, Number(process.hrtime.bigint() - start) / 1000);
}

/** The in-memory adapter (the peer of SQLite `:memory:`). */
export function memoryStorage(): Storage {
  return createMemoryStorage();
}
