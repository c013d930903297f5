/**
 * PostgreSQL benchmark: 4 worker processes doing governed-transaction-shaped writes against one server
 * (aggregate ops/s and p99), and NOTIFY latency from one process to a subscriber in another.
 * Skipped with a message when no server answers at DATABASE_URL. Run: `npm run bench -- postgres`.
 */
import { adminQuery, DATABASE_URL } from "../test/support/postgres.js";
import { spawnWorker } from "../test/support/spawn-worker.js";
import { printTable, summarize } from "./stats.js";

const URL = DATABASE_URL;
const WORKER = "bench/postgres-worker.ts";
const PROCESSES = 4;
const CALLERS = 8; // transactions in flight per process
const PER_CALLER = 500;
const NOTICES = 500;

/** Runs the suite. */
export async function run(): Promise<void> {
  try {
    await adminQuery("SELECT 1");
  } catch (error) {
    console.log(`\n## PostgreSQL: skipped (no server at ${URL}: ${(error as Error).message})`);
    return;
  }
  const schema = `acp_bench_${process.pid}`;
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  try {
    const governed = await fleet(
      "governed",
      `${PROCESSES} processes × ${CALLERS} in flight, governed tx`,
      schema,
    );
    const facade = await fleet(
      "facade",
      `${PROCESSES} processes × ${CALLERS} in flight, propose + complete`,
      `${schema}_facade`,
    );

    const listener = spawnWorker(WORKER, { mode: "listen", url: URL, schema, worker: 0, notices: NOTICES });
    await listener.next((m) => m.ready === true);
    const sender = spawnWorker(WORKER, { mode: "notify", url: URL, schema, worker: 1, notices: NOTICES });
    await sender.done();
    const heard = await listener.done<{ samples: number[] }>();
    const notify = summarize("NOTIFY → subscriber in another process", heard.samples, 1);

    printTable("PostgreSQL (server)", [
      { ...governed, goal: "≥ 3,000 ops/s" },
      { ...facade, goal: "≥ 3,000 ops/s" },
      { ...notify, opsPerSec: Number.NaN, goal: "p50 ≤ 50 ms" },
    ]);
  } finally {
    await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await adminQuery(`DROP SCHEMA IF EXISTS "${schema}_facade" CASCADE`);
  }
}

/** Starts PROCESSES workers in `mode` at the same instant and summarises their samples over the wall time. */
async function fleet(mode: "governed" | "facade", name: string, schema: string) {
  const startAt = Date.now() + 4000;
  const workers = Array.from({ length: PROCESSES }, (_, worker) =>
    spawnWorker(WORKER, { mode, url: URL, schema, worker, callers: CALLERS, perCaller: PER_CALLER, startAt }),
  );
  const results = await Promise.all(
    workers.map((w) => w.done<{ start: number; end: number; samples: number[] }>()),
  );
  const wallUs = (Math.max(...results.map((r) => r.end)) - Math.min(...results.map((r) => r.start))) * 1000;
  return summarize(
    name,
    results.flatMap((r) => r.samples),
    wallUs,
  );
}
