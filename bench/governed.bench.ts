/**
 * Governed action = `propose` + `complete` through the facade, on each storage:
 * (1) one caller: memory, SQLite in memory, SQLite file WAL + synchronous=FULL, SQLite file DELETE + FULL
 *     (the original's settings); (2) 64 concurrent agents on one file at full durability (group commit).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ControlPlane, createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createMemoryStorage } from "../src/storage/memory/memory-storage.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import { type LatencySummary, measure, printTable, summarize } from "./stats.js";

const POLICY = {
  version: 1,
  actions: { autoApprove: ["read_file", "write_file"], blocked: ["drop_table"] },
} as const;

async function governed(cp: ControlPlane, sessionId: string, i: number): Promise<void> {
  const d = await cp.propose({ sessionId, action: "write_file", resourceId: `r${i}`, cost: "0.01" });
  if (d.outcome !== "allowed") throw new Error(`unexpected ${d.outcome}: ${d.reason}`);
  await cp.complete(d.proposalId, { ok: true });
}

async function singleCaller(name: string, storage: Storage, iterations: number, goal?: string) {
  const cp = await createControlPlane({ storage, policy: POLICY });
  const s = await cp.openSession({ name });
  const row = await measure(name, (i) => governed(cp, s.id, i), {
    iterations,
    warmup: Math.min(2000, iterations / 5),
  });
  await storage.close();
  return { ...row, ...(goal ? { goal } : {}) };
}

/** `agents` concurrent loops sharing one control plane; returns aggregate throughput and per-action latency. */
async function concurrent(
  name: string,
  storage: Storage,
  agents: number,
  perAgent: number,
): Promise<LatencySummary> {
  const cp = await createControlPlane({ storage, policy: POLICY });
  const sessions = await Promise.all(
    Array.from({ length: agents }, (_, a) => cp.openSession({ name: `agent-${a}` })),
  );
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  await Promise.all(
    sessions.map(async (s, a) => {
      for (let i = 0; i < perAgent; i++) {
        const t0 = process.hrtime.bigint();
        await governed(cp, s.id, a * perAgent + i);
        samples.push(Number(process.hrtime.bigint() - t0) / 1000);
      }
    }),
  );
  const wallUs = Number(process.hrtime.bigint() - start) / 1000;
  await storage.close();
  return summarize(name, samples, wallUs);
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acp-bench-"));
  try {
    const rows = [
      await singleCaller("memory storage", createMemoryStorage(), 50_000, "≤ 20 µs"),
      await singleCaller("sqlite :memory:", await createSqliteStorage({ path: ":memory:" }), 30_000),
      await singleCaller(
        "sqlite file WAL, synchronous=FULL",
        await createSqliteStorage({ path: join(dir, "wal.db") }),
        3_000,
      ),
      await singleCaller(
        "sqlite file DELETE, synchronous=FULL (original's)",
        await createSqliteStorage({ path: join(dir, "delete.db"), journalMode: "delete" }),
        1_000,
      ),
    ];
    printTable("governed action (propose + complete), one caller", rows);
    const conc = await concurrent(
      "64 agents, one file, WAL + synchronous=FULL",
      await createSqliteStorage({ path: join(dir, "concurrent.db") }),
      64,
      500,
    );
    printTable("governed actions, 64 concurrent agents (aggregate ops/s)", [{ ...conc, goal: "≥ 20,000/s" }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
