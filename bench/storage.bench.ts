/**
 * Storage benchmark: a governed-transaction-shaped write (reserve budget + insert proposal + append two
 * events, in one transaction) on the SQLite adapter, single caller and 64 concurrent callers.
 * Run: `npm run bench -- storage`.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteStorage, type SqliteStorageOptions } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import { executingProposal, sessionRecord } from "../src/testing/conformance/fixtures.js";
import { type LatencySummary, measure, printTable, summarize } from "./stats.js";

const SESSION = "bench";
let counter = 0;

async function prepare(options: SqliteStorageOptions): Promise<Storage> {
  const storage = createSqliteStorage(options);
  await storage.transaction(async (tx) => {
    await tx.policies.put({ id: "policy", document: { version: 1 }, createdAt: 1 });
    await tx.sessions.insert(
      sessionRecord(SESSION, { agentId: "agent", policyId: "policy", createdAt: 1, updatedAt: 1 }),
    );
  });
  return storage;
}

/** One governed action's worth of writes. */
function governedTransaction(storage: Storage): Promise<unknown> {
  const id = `p${counter++}`;
  return storage.transaction(async (tx) => {
    const now = Date.now();
    const session = await tx.sessions.reserveBudget(SESSION, 1_000, 1, now);
    if (!session) throw new Error("budget refused");
    await tx.proposals.insert(executingProposal(id, SESSION, now));
    await tx.events.append({
      sessionId: SESSION,
      kind: "proposal_decided",
      proposalId: id,
      payload: {},
      at: now,
    });
    await tx.events.append({
      sessionId: SESSION,
      kind: "cycle_started",
      proposalId: id,
      payload: {},
      at: now,
    });
  });
}

async function single(name: string, options: SqliteStorageOptions, iterations: number, goal?: string) {
  const storage = await prepare(options);
  const summary = await measure(name, () => governedTransaction(storage), { iterations, warmup: 200 });
  await storage.close();
  return { ...summary, goal };
}

async function concurrent(
  name: string,
  options: SqliteStorageOptions,
  callers: number,
  perCaller: number,
  goal?: string,
): Promise<LatencySummary & { goal?: string }> {
  const storage = await prepare(options);
  for (let i = 0; i < 200; i++) await governedTransaction(storage);
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let i = 0; i < perCaller; i++) {
        const t0 = process.hrtime.bigint();
        await governedTransaction(storage);
        samples.push(Number(process.hrtime.bigint() - t0) / 1000);
      }
    }),
  );
  const wallUs = Number(process.hrtime.bigint() - start) / 1000;
  await storage.close();
  return { ...summarize(name, samples, wallUs), goal };
}

/** Runs the storage benchmark and prints its table. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acp-bench-storage-"));
  let n = 0;
  const file = () => join(dir, `bench-${n++}.db`);
  try {
    const rows = [
      await single("sqlite :memory:, 1 caller", { path: ":memory:" }, 20_000),
      await single("sqlite file WAL sync=FULL, 1 caller", { path: file() }, 2_000),
      await single("sqlite file DELETE sync=FULL, 1 caller", { path: file(), journalMode: "delete" }, 500),
      await concurrent(
        "sqlite file WAL sync=FULL, 64 callers",
        { path: file() },
        64,
        1_000,
        "≥ 20,000 ops/s",
      ),
      await concurrent(
        "sqlite file DELETE sync=FULL, 64 callers",
        { path: file(), journalMode: "delete" },
        64,
        250,
      ),
      await concurrent("  (no group commit: maxBatch=1) WAL FULL, 64", { path: file(), maxBatch: 1 }, 64, 50),
    ];
    printTable("storage: governed transaction (reserve + proposal + 2 events)", rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
