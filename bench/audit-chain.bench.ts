/**
 * What the per-session audit hash chain costs: a governed action (`propose` + `complete`, 4 chained events) with
 * the chain next to the plain append of before (the internal `auditChainSwitch` turned off), in one run, on
 * memory, a SQLite file (WAL, synchronous=FULL) and PostgreSQL (when a server answers at DATABASE_URL).
 * Rounds alternate the two variants on one control plane so that drift hits both; the table shows the median
 * round of each. Goal: the chained action at most 10 % slower. Run: `npm run bench -- audit-chain`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ControlPlane, createControlPlane } from "../src/control-plane/create-control-plane.js";
import { auditChainSwitch } from "../src/engines/audit/chain-link.js";
import { createMemoryStorage } from "../src/storage/memory/memory-storage.js";
import { createPostgresStorage } from "../src/storage/postgres/index.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import { adminQuery, DATABASE_URL } from "../test/support/postgres.js";
import { type LatencySummary, measure, printTable } from "./stats.js";

const POLICY = { version: 1, actions: { autoApprove: ["write_file"] } } as const;
const ROUNDS = 5;

async function governed(cp: ControlPlane, sessionId: string, i: number): Promise<void> {
  const d = await cp.propose({ sessionId, action: "write_file", resourceId: `r${i}`, cost: "0.01" });
  if (d.outcome !== "allowed") throw new Error(`unexpected ${d.outcome}: ${d.reason}`);
  await cp.complete(d.proposalId, { ok: true });
}

const median = (rows: LatencySummary[]): LatencySummary =>
  [...rows].sort((a, b) => a.opsPerSec - b.opsPerSec)[Math.floor(rows.length / 2)]!;

async function compare(name: string, storage: Storage, iterations: number) {
  const cp = await createControlPlane({ storage, policy: POLICY });
  const chained = await cp.openSession({ name: "chained" });
  const plain = await cp.openSession({ name: "plain" });
  const runs: Record<"chained" | "plain", LatencySummary[]> = { chained: [], plain: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of round % 2 === 0
        ? (["plain", "chained"] as const)
        : (["chained", "plain"] as const)) {
        auditChainSwitch.enabled = variant === "chained";
        const sessionId = variant === "chained" ? chained.id : plain.id;
        const offset = round * iterations * 2;
        runs[variant].push(
          await measure(`${name}, ${variant}`, (i) => governed(cp, sessionId, offset + i), {
            iterations,
            warmup: Math.min(500, iterations / 5),
          }),
        );
      }
    }
  } finally {
    auditChainSwitch.enabled = true;
  }
  const verified = await cp.verifyAudit({ sessionId: chained.id });
  if (!verified.ok)
    throw new Error(`the chained session does not verify: ${JSON.stringify(verified.problems[0])}`);
  await storage.close();
  const p = median(runs.plain);
  const c = median(runs.chained);
  const slower = (p.opsPerSec / c.opsPerSec - 1) * 100;
  return [
    { ...p, name: `${name}, plain append` },
    { ...c, name: `${name}, hash chain`, goal: `≤ 10 % slower: ${slower.toFixed(1)} %` },
  ];
}

/** Runs the suite. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acp-bench-chain-"));
  const rows = [];
  try {
    rows.push(...(await compare("memory", createMemoryStorage(), 20_000)));
    rows.push(
      ...(await compare("sqlite file WAL", createSqliteStorage({ path: join(dir, "chain.db") }), 2_000)),
    );
    let pg = true;
    try {
      await adminQuery("SELECT 1");
    } catch {
      pg = false;
      console.log(`\n(audit chain on PostgreSQL skipped: no server at ${DATABASE_URL})`);
    }
    if (pg) {
      const schema = `acp_bench_chain_${process.pid}`;
      try {
        const storage = createPostgresStorage({ connectionString: DATABASE_URL, schema });
        await storage.migrate();
        rows.push(...(await compare("postgresql", storage, 1_000)));
      } finally {
        await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    }
    printTable("governed action with the audit hash chain vs the plain append (median of 5 rounds)", rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
