/**
 * `npm run bench -- limits` (issue 14): in one run, the floors of this machine next to the governed-action
 * figures, each figure printed as a ratio to its floor with the goal.
 *
 * Floors: a single-row SQLite commit at each journal mode, the storage-level group commit of 64 callers, the
 * memory adapter, and `pgbench` TPC-B (prepared, 4 clients) in a scratch database on the same PostgreSQL
 * server (a `pg` loop of the same transactions when pgbench is absent).
 * Options: `--quick` (a smoke run of a few seconds), `--no-pgbench` (use the `pg` loop even when pgbench is
 * installed). Run: `npm run bench -- limits [--quick] [--no-pgbench]`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import { adminQuery, DATABASE_URL } from "../test/support/postgres.js";
import { spawnWorker } from "../test/support/spawn-worker.js";
import {
  findPgbench,
  initTpcbTables,
  runPgbench,
  runTpcbLoop,
  type TpcbOptions,
  withScratchDatabase,
} from "./limits-pgbench.js";
import {
  cpuModelFrom,
  formatMachine,
  type LimitRow,
  type MachineInfo,
  renderLimitsTable,
} from "./limits-report.js";
import {
  governedConcurrent,
  governedOneCaller,
  memoryStorage,
  singleRowCommit,
  storageGroupCommit,
} from "./limits-sqlite.js";
import { type LatencySummary, printTable, summarize } from "./stats.js";

/** Command-line options of the limits bench. */
export interface LimitsOptions {
  /** A smoke run: about a tenth of the iterations, pgbench for 2 s at scale 1. */
  readonly quick: boolean;
  /** Call pgbench when it is installed (`--no-pgbench` turns it off: the `pg` loop then runs). */
  readonly pgbench: boolean;
}

/**
 * Reads the limits bench's flags from the command line (other words, such as suite names, are ignored).
 * @example limitsOptions(["limits", "--quick"]) // { quick: true, pgbench: true }
 */
export function limitsOptions(argv: readonly string[]): LimitsOptions {
  return { quick: argv.includes("--quick"), pgbench: !argv.includes("--no-pgbench") };
}

const WORKER = "bench/postgres-worker.ts";
const PG_PROCESSES = 4;
const PG_IN_FLIGHT = 8; // per process, as in `npm run bench -- postgres` (the "today" figures)
const PG_CLIENTS = 4;

/** Iteration counts of one run. */
function sizes(quick: boolean) {
  const k = quick ? 0.1 : 1;
  const n = (count: number) => Math.max(20, Math.round(count * k));
  return {
    walFull: n(2_000),
    walNormal: n(5_000),
    deleteFull: n(500),
    groupPerCaller: n(500),
    memory: n(30_000),
    sqliteMemory: n(20_000),
    fileWal: n(2_000),
    concurrentPerAgent: n(300),
    pgPerCaller: n(200),
    tpcb: { scale: quick ? 1 : 4, clients: PG_CLIENTS, threads: 2, durationS: quick ? 2 : 10 } as TpcbOptions,
  };
}

async function machine(postgres: string | undefined): Promise<MachineInfo> {
  let cpuinfo = "";
  try {
    cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    cpuinfo = `model name: ${os.cpus()[0]?.model ?? "unknown CPU"}`;
  }
  return {
    date: new Date().toISOString().replace("T", " ").slice(0, 16),
    cpus: os.availableParallelism(),
    cpuModel: cpuModelFrom(cpuinfo),
    node: process.version,
    loadAverage: os.loadavg(),
    ...(postgres ? { postgres: `PostgreSQL ${postgres}` } : {}),
  };
}

/** What the PostgreSQL part measured, or why it did not run. */
type PostgresPart =
  | { readonly ok: true; readonly floorName: string; readonly tps: number; readonly governed: LatencySummary }
  | { readonly ok: false; readonly reason: string };

/** Runs the suite and prints its tables. */
export async function run(): Promise<void> {
  const options = limitsOptions(process.argv.slice(2));
  const size = sizes(options.quick);
  const serverVersion = await adminQuery<{ v: string }>("SELECT current_setting('server_version') AS v").then(
    (rows) => rows[0]?.v,
    () => undefined,
  );
  console.log(
    `\n# Limits${options.quick ? " (--quick)" : ""}: ${formatMachine(await machine(serverVersion))}`,
  );

  const dir = mkdtempSync(join(os.tmpdir(), "acp-bench-limits-"));
  let files = 0;
  const file = () => join(dir, `limits-${files++}.db`);
  try {
    const walFull = await singleRowCommit(file(), { journalMode: "wal", synchronous: "full" }, size.walFull);
    const floors = [
      walFull,
      await singleRowCommit(file(), { journalMode: "wal", synchronous: "normal" }, size.walNormal),
      await singleRowCommit(file(), { journalMode: "delete", synchronous: "full" }, size.deleteFull),
    ];
    const group = await storageGroupCommit({ path: file() }, 64, size.groupPerCaller);
    printTable("floors: SQLite file (one caller; group commit: 64 callers, WAL FULL)", [...floors, group]);

    const memory = await governedOneCaller(
      "memory adapter, propose + complete",
      memoryStorage(),
      "propose+complete",
      size.memory,
    );
    const sqliteMemory = await governedOneCaller(
      "SQLite :memory:, propose",
      createSqliteStorage({ path: ":memory:" }),
      "propose",
      size.sqliteMemory,
    );
    const fileWal = await governedOneCaller(
      "SQLite file WAL FULL, propose + complete",
      createSqliteStorage({ path: file() }),
      "propose+complete",
      size.fileWal,
    );
    const concurrent = await governedConcurrent(
      "SQLite file WAL FULL, 64 agents, propose + complete",
      createSqliteStorage({ path: file() }),
      64,
      size.concurrentPerAgent,
    );
    printTable("governed actions through the facade", [memory, sqliteMemory, fileWal, concurrent]);

    const postgres = serverVersion
      ? await postgresPart(options, size.tpcb, size.pgPerCaller)
      : ({ ok: false, reason: `no server at ${DATABASE_URL}` } as const);
    if (postgres.ok) {
      console.log(`\n## PostgreSQL: ${postgres.floorName}: ${postgres.tps.toFixed(1)} tps`);
      printTable("PostgreSQL governed actions", [postgres.governed]);
    } else {
      console.log(`\n## PostgreSQL: skipped (${postgres.reason})`);
    }

    const rows: LimitRow[] = [
      {
        case: `PostgreSQL, ${PG_PROCESSES} worker processes × ${PG_IN_FLIGHT} in flight, propose + complete`,
        figure: postgres.ok ? { value: postgres.governed.opsPerSec, unit: "per-s", label: "" } : undefined,
        floor: postgres.ok
          ? { name: postgres.floorName, value: postgres.tps, unit: "per-s", label: "" }
          : undefined,
        goal: { kind: "min-ratio", value: 1 },
        ...(postgres.ok ? {} : { note: "skipped" }),
      },
      {
        case: "SQLite file, WAL FULL, 64 concurrent agents, facade",
        figure: { value: concurrent.opsPerSec, unit: "per-s", label: "" },
        floor: { name: "storage group commit, 64 callers", value: group.opsPerSec, unit: "per-s", label: "" },
        goal: { kind: "min-per-s", value: 20_000 },
      },
      {
        case: "SQLite :memory:, one caller, propose",
        figure: { value: sqliteMemory.p50Us, unit: "us", label: "p50" },
        floor: { name: "memory adapter, propose + complete", value: memory.p50Us, unit: "us", label: "p50" },
        goal: { kind: "max-us", value: 25 },
      },
      {
        case: "SQLite file, WAL FULL, one caller, propose + complete",
        figure: { value: fileWal.p50Us, unit: "us", label: "p50" },
        floor: { name: "2 × single-row commit WAL FULL", value: 2 * walFull.p50Us, unit: "us", label: "p50" },
        goal: { kind: "max-ratio", value: 1.5 },
      },
    ];
    console.log("\n## Limits: governed figure against its floor, same run\n");
    console.log(renderLimitsTable(rows));
    console.log(
      `\nload average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The pgbench floor and the governed fleet, both in one scratch database on the server. */
async function postgresPart(
  options: LimitsOptions,
  tpcb: TpcbOptions,
  perCaller: number,
): Promise<PostgresPart> {
  const pgbench = options.pgbench ? await findPgbench() : undefined;
  return withScratchDatabase(DATABASE_URL, async (url) => {
    const shape = `scale ${tpcb.scale}, ${tpcb.clients} clients, ${tpcb.durationS} s`;
    let floorName: string;
    let tps: number;
    if (pgbench) {
      const result = await runPgbench(pgbench, url, tpcb);
      if (result.failed > 0) throw new Error(`pgbench: ${result.failed} failed transactions`);
      floorName = `pgbench TPC-B -M prepared, ${shape}`;
      tps = result.tps;
    } else {
      await initTpcbTables(url, tpcb.scale);
      floorName = `pg loop of TPC-B transactions (no pgbench), ${shape}`;
      tps = (await runTpcbLoop(url, tpcb)).tps;
    }
    const governed = await fleet(url, perCaller);
    return { ok: true, floorName, tps, governed } as const;
  });
}

/** PG_PROCESSES facade workers of bench/postgres-worker.ts started at one instant, aggregate actions/s. */
async function fleet(url: string, perCaller: number): Promise<LatencySummary> {
  const startAt = Date.now() + 4000;
  const workers = Array.from({ length: PG_PROCESSES }, (_, worker) =>
    spawnWorker(WORKER, {
      mode: "facade",
      url,
      schema: "acp_limits",
      worker,
      callers: PG_IN_FLIGHT,
      perCaller,
      startAt,
    }),
  );
  const results = await Promise.all(
    workers.map((w) => w.done<{ start: number; end: number; samples: number[] }>()),
  );
  const wallUs = (Math.max(...results.map((r) => r.end)) - Math.min(...results.map((r) => r.start))) * 1000;
  return summarize(
    `${PG_PROCESSES} processes × ${PG_IN_FLIGHT} in flight, propose + complete`,
    results.flatMap((r) => r.samples),
    wallUs,
  );
}
