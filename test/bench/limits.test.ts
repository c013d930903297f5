import pg from "pg";
import { describe, expect, it } from "vitest";
import { limitsOptions } from "../../bench/limits.bench.js";
import {
  databaseUrl,
  findPgbench,
  initTpcbTables,
  libpqEnvironment,
  parsePgbenchOutput,
  runPgbench,
  runTpcbLoop,
  withScratchDatabase,
} from "../../bench/limits-pgbench.js";
import {
  cpuModelFrom,
  type Figure,
  formatGoal,
  formatMachine,
  formatValue,
  type LimitRow,
  ratio,
  renderLimitsTable,
  verdict,
} from "../../bench/limits-report.js";
import { adminQuery, DATABASE_URL, probePostgres } from "../support/postgres.js";

/** What pgbench 15 printed on this machine (`-M prepared -c 4 -j 2 -T 3`, scale 4). */
const PGBENCH_15 = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 4
query mode: prepared
number of clients: 4
number of threads: 2
maximum number of tries: 1
duration: 3 s
number of transactions actually processed: 1361
number of failed transactions: 0 (0.000%)
latency average = 8.582 ms
initial connection time = 103.898 ms
tps = 466.092219 (without initial connection time)
`;

/** The report of pgbench 13 and older: two tps lines, with and without connection set-up. */
const PGBENCH_13 = `transaction type: <builtin: TPC-B (sort of)>
scaling factor: 1
query mode: prepared
number of clients: 4
number of threads: 2
duration: 10 s
number of transactions actually processed: 30000
latency average = 1.333 ms
tps = 3000.123456 (including connections establishing)
tps = 3010.654321 (excluding connections establishing)
`;

const us = (value: number, label = "p50"): Figure => ({ value, unit: "us", label });
const perS = (value: number): Figure => ({ value, unit: "per-s", label: "" });

describe("parsePgbenchOutput", () => {
  it("reads tps, transactions, failures, latency and query mode of pgbench 15", () => {
    expect(parsePgbenchOutput(PGBENCH_15)).toEqual({
      tps: 466.092219,
      transactions: 1361,
      failed: 0,
      latencyAvgMs: 8.582,
      queryMode: "prepared",
    });
  });

  it("takes the tps without connection set-up from older pgbench, not the first tps line", () => {
    const parsed = parsePgbenchOutput(PGBENCH_13);
    expect(parsed.tps).toBe(3010.654321);
    expect(parsed.transactions).toBe(30000);
    expect(parsed.failed).toBe(0);
  });

  it("counts failed transactions", () => {
    const text = PGBENCH_15.replace("failed transactions: 0 (0.000%)", "failed transactions: 7 (0.514%)");
    expect(parsePgbenchOutput(text).failed).toBe(7);
  });

  it("refuses a report without a tps line", () => {
    expect(() => parsePgbenchOutput("pgbench: error: connection to server failed\n")).toThrow(/no tps line/);
  });
});

describe("ratio and verdict", () => {
  it("divides the figure by its floor, for latencies and for throughputs", () => {
    expect(ratio(us(700), us(300))).toBeCloseTo(2.3333, 4);
    expect(ratio(perS(750), perS(3000))).toBe(0.25);
  });

  it("gives NaN when a side is missing or the floor is not positive", () => {
    expect(ratio(undefined, us(1))).toBeNaN();
    expect(ratio(us(1), undefined)).toBeNaN();
    expect(ratio(us(1), us(0))).toBeNaN();
    expect(ratio(us(Number.NaN), us(1))).toBeNaN();
  });

  const row = (figure: Figure | undefined, floor: Figure | undefined, goal: LimitRow["goal"]): LimitRow => ({
    case: "c",
    figure,
    floor: floor ? { ...floor, name: "floor" } : undefined,
    goal,
  });

  it("meets a ratio ceiling at the bound and misses it above", () => {
    expect(verdict(row(us(450), us(300), { kind: "max-ratio", value: 1.5 }))).toBe("yes");
    expect(verdict(row(us(451), us(300), { kind: "max-ratio", value: 1.5 }))).toBe("no");
  });

  it("meets a ratio floor at the bound and misses it below", () => {
    expect(verdict(row(perS(3000), perS(3000), { kind: "min-ratio", value: 1 }))).toBe("yes");
    expect(verdict(row(perS(2999), perS(3000), { kind: "min-ratio", value: 1 }))).toBe("no");
  });

  it("judges absolute goals on the figure alone, whatever the floor", () => {
    expect(verdict(row(us(25), us(1), { kind: "max-us", value: 25 }))).toBe("yes");
    expect(verdict(row(us(25.1), us(100), { kind: "max-us", value: 25 }))).toBe("no");
    expect(verdict(row(perS(20_000), undefined, { kind: "min-per-s", value: 20_000 }))).toBe("yes");
    expect(verdict(row(perS(19_999), perS(24_000), { kind: "min-per-s", value: 20_000 }))).toBe("no");
  });

  it("says n/a when a figure is missing or of the wrong unit", () => {
    expect(verdict(row(undefined, perS(3000), { kind: "min-ratio", value: 1 }))).toBe("n/a");
    expect(verdict(row(perS(3000), undefined, { kind: "min-ratio", value: 1 }))).toBe("n/a");
    expect(verdict(row(undefined, undefined, { kind: "max-us", value: 25 }))).toBe("n/a");
    expect(verdict(row(us(10), undefined, { kind: "min-per-s", value: 20_000 }))).toBe("n/a");
  });
});

describe("printing", () => {
  it("formats latencies in µs or ms and throughputs with separators", () => {
    expect(formatValue(17.58, "us")).toBe("17.6 µs");
    expect(formatValue(152.4, "us")).toBe("152 µs");
    expect(formatValue(1259.53, "us")).toBe("1.26 ms");
    expect(formatValue(24_512.7, "per-s")).toBe("24,513/s");
    expect(formatValue(Number.NaN, "us")).toBe("–");
    expect(formatGoal({ kind: "max-ratio", value: 1.5 })).toBe("≤ 1.50× floor");
    expect(formatGoal({ kind: "min-per-s", value: 20_000 })).toBe("≥ 20,000/s");
    expect(formatGoal({ kind: "max-us", value: 25 })).toBe("p50 ≤ 25.0 µs");
  });

  it("renders one aligned Markdown row per case with figure, floor, ratio, goal and verdict", () => {
    const table = renderLimitsTable([
      {
        case: "SQLite file, WAL FULL, one caller, propose + complete",
        figure: us(700),
        floor: { ...us(300, "p50"), name: "2 × single-row commit" },
        goal: { kind: "max-ratio", value: 1.5 },
      },
      {
        case: "PostgreSQL",
        figure: undefined,
        floor: undefined,
        goal: { kind: "min-ratio", value: 1 },
        note: "skipped",
      },
    ]);
    const lines = table.split("\n");
    expect(lines).toHaveLength(4);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    const cells = (line: string) =>
      line
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim());
    expect(cells(lines[0]!)).toEqual(["case", "figure", "floor", "ratio", "goal", "met?"]);
    expect(cells(lines[1]!).every((c) => /^-+$/.test(c))).toBe(true);
    expect(cells(lines[2]!)).toEqual([
      "SQLite file, WAL FULL, one caller, propose + complete",
      "p50 700 µs",
      "2 × single-row commit: p50 300 µs",
      "2.33×",
      "≤ 1.50× floor",
      "no",
    ]);
    expect(cells(lines[3]!)).toEqual(["PostgreSQL", "skipped", "skipped", "–", "≥ 1.00× floor", "n/a"]);
  });

  it("names the machine from /proc/cpuinfo", () => {
    expect(cpuModelFrom("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n")).toBe(
      "AMD EPYC 7B13",
    );
    expect(cpuModelFrom("processor\t: 0\n")).toBe("unknown CPU");
    expect(
      formatMachine({
        date: "2026-12-05",
        cpus: 2,
        cpuModel: "AMD EPYC",
        node: "v20.20.2",
        loadAverage: [1, 0.5, 0.25],
      }),
    ).toBe("2026-12-05 · nproc 2 · AMD EPYC · Node v20.20.2 · load 1.00 0.50 0.25");
  });

  it("reads --quick and --no-pgbench among suite names", () => {
    expect(limitsOptions(["limits"])).toEqual({ quick: false, pgbench: true });
    expect(limitsOptions(["limits", "--quick", "--no-pgbench"])).toEqual({ quick: true, pgbench: false });
  });
});

describe("connection settings", () => {
  it("turns a URL into libpq variables and a database name", () => {
    expect(libpqEnvironment("postgres://bench:p%40ss@db.local:6543/test")).toEqual({
      env: { PGHOST: "db.local", PGPORT: "6543", PGUSER: "bench", PGPASSWORD: "p@ss" },
      database: "test",
    });
    expect(libpqEnvironment("postgres://postgres@127.0.0.1/test").env).toEqual({
      PGHOST: "127.0.0.1",
      PGPORT: "5432",
      PGUSER: "postgres",
    });
    expect(databaseUrl("postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "scratch")).toBe(
      "postgres://postgres@127.0.0.1:5432/scratch?sslmode=disable",
    );
  });
});

const server = await probePostgres();
const pgbench = server.available ? await findPgbench() : undefined;

async function databaseExists(name: string): Promise<boolean> {
  return (await adminQuery("SELECT 1 FROM pg_database WHERE datname = $1", [name])).length === 1;
}

async function scalar(url: string, sql: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ v: string | null }>(sql)).rows[0]!.v;
  } finally {
    await client.end();
  }
}

describe.runIf(server.available)("PostgreSQL floor (server at DATABASE_URL)", () => {
  it("the pg loop commits whole TPC-B transactions in a scratch database that is dropped afterwards", async () => {
    let scratch = "";
    const counts = await withScratchDatabase(DATABASE_URL, async (url, name) => {
      scratch = name;
      expect(await databaseExists(name)).toBe(true);
      await initTpcbTables(url, 1);
      const result = await runTpcbLoop(url, { scale: 1, clients: 4, transactionsPerClient: 25 });
      const sums = await scalar(
        url,
        `SELECT concat_ws(',', (SELECT count(*) FROM limits_history), (SELECT sum(delta) FROM limits_history),
           (SELECT sum(abalance) FROM limits_accounts), (SELECT sum(tbalance) FROM limits_tellers),
           (SELECT sum(bbalance) FROM limits_branches)) AS v`,
      );
      return { result, sums: sums!.split(",") };
    });
    expect(counts.result.transactions).toBe(100);
    expect(counts.result.tps).toBeGreaterThan(0);
    const [history, delta, ...balances] = counts.sums;
    expect(history).toBe("100");
    expect(balances).toEqual([delta, delta, delta]);
    expect(await databaseExists(scratch)).toBe(false);
  });

  it("drops the scratch database when the work in it fails, even with a connection left open", async () => {
    let scratch = "";
    const left = { client: undefined as pg.Client | undefined };
    await expect(
      withScratchDatabase(DATABASE_URL, async (url, name) => {
        scratch = name;
        left.client = new pg.Client({ connectionString: url });
        left.client.on("error", () => {});
        await left.client.connect();
        await left.client.query("CREATE TABLE left_behind (id int)");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await left.client?.end().catch(() => {});
    expect(scratch).toMatch(/^acp_limits_\d+_[0-9a-f]{6}$/);
    expect(await databaseExists(scratch)).toBe(false);
  });

  it.runIf(pgbench !== undefined)(
    "runs pgbench with prepared statements in the scratch database only",
    async () => {
      const outside = "SELECT to_regclass('public.pgbench_accounts')::text AS v";
      const before = await scalar(DATABASE_URL, outside);
      const run = await withScratchDatabase(DATABASE_URL, async (url) => {
        const result = await runPgbench(pgbench!, url, { scale: 1, clients: 4, transactionsPerClient: 10 });
        return { result, accounts: await scalar(url, "SELECT count(*)::text AS v FROM pgbench_accounts") };
      });
      expect(run.result.transactions).toBe(40);
      expect(run.result.failed).toBe(0);
      expect(run.result.queryMode).toBe("prepared");
      expect(run.result.tps).toBeGreaterThan(0);
      expect(run.accounts).toBe("100000");
      expect(await scalar(DATABASE_URL, outside)).toBe(before);
    },
  );
});
