/**
 * The PostgreSQL floor of `npm run bench -- limits`: `pgbench`'s TPC-B-like transaction (5 statements,
 * prepared) on the same server, in a scratch database that is created for the run and dropped after it.
 * Without `pgbench` a loop of the same 5-statement transactions through `pg` stands in for it.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";

/** What a pgbench run printed, as far as the limits bench uses it. */
export interface PgbenchResult {
  /** Transactions per second, without the initial connection time when pgbench reports it so. */
  readonly tps: number;
  /** `number of transactions actually processed`. */
  readonly transactions: number;
  /** `number of failed transactions` (pgbench 15+), 0 when not printed. */
  readonly failed: number;
  /** `latency average` in ms, `NaN` when not printed. */
  readonly latencyAvgMs: number;
  /** `query mode` (`simple`, `extended`, `prepared`), `""` when not printed. */
  readonly queryMode: string;
}

/**
 * Parses pgbench's report (stdout). Prefers the tps without connection time (pgbench 14+: "without initial
 * connection time"; up to 13: "excluding connections establishing"), else the only tps line.
 * @throws Error when the text holds no tps line.
 * @example parsePgbenchOutput("number of transactions actually processed: 10\ntps = 5.0 (without initial connection time)\n").tps // 5
 */
export function parsePgbenchOutput(stdout: string): PgbenchResult {
  const tpsLines = [...stdout.matchAll(/^tps = ([\d.]+)(?: \(([^)]*)\))?/gm)];
  const preferred =
    tpsLines.find((m) => /without initial connection|excluding connections/.test(m[2] ?? "")) ?? tpsLines[0];
  if (!preferred) throw new Error(`pgbench printed no tps line:\n${stdout}`);
  const number = (re: RegExp, fallback: number) => {
    const m = re.exec(stdout);
    return m ? Number(m[1]) : fallback;
  };
  return {
    tps: Number(preferred[1]),
    transactions: number(/^number of transactions actually processed: (\d+)/m, 0),
    failed: number(/^number of failed transactions: (\d+)/m, 0),
    latencyAvgMs: number(/^latency average = ([\d.]+) ms/m, Number.NaN),
    queryMode: /^query mode: (\w+)/m.exec(stdout)?.[1] ?? "",
  };
}

/** libpq environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`) and database name of a connection URL. */
export function libpqEnvironment(url: string): {
  readonly env: Record<string, string>;
  readonly database: string;
} {
  const u = new URL(url);
  const env: Record<string, string> = {
    PGHOST: u.hostname || "127.0.0.1",
    PGPORT: u.port || "5432",
    PGUSER: decodeURIComponent(u.username) || "postgres",
  };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  return { env, database: decodeURIComponent(u.pathname.replace(/^\//, "")) };
}

/** `url` pointing at another database of the same server. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Runs each of `sqls` in turn (each on its own: VACUUM may not share a multi-statement query). */
async function admin(url: string, ...sqls: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    for (const sql of sqls) await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates a fresh database `acp_limits_<pid>_<random>` on the server of `url`, runs `fn` with its URL and
 * drops it afterwards (also when `fn` throws), closing any connection left to it.
 */
export async function withScratchDatabase<T>(
  url: string,
  fn: (scratchUrl: string, name: string) => Promise<T>,
) {
  const name = `acp_limits_${process.pid}_${randomBytes(3).toString("hex")}`;
  await admin(url, `CREATE DATABASE "${name}"`);
  try {
    return await fn(databaseUrl(url, name), name);
  } finally {
    await admin(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

/** The pgbench executable to call, or `undefined` when none answers `--version`. */
export function findPgbench(candidates: readonly string[] = ["pgbench", "/usr/bin/pgbench"]) {
  return candidates.reduce<Promise<string | undefined>>(
    async (found, candidate) =>
      (await found) ??
      new Promise((resolve) =>
        execFile(candidate, ["--version"], (error) => resolve(error ? undefined : candidate)),
      ),
    Promise.resolve(undefined),
  );
}

function exec(file: string, args: readonly string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { env: { ...process.env, ...env }, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`${file} ${args.join(" ")} failed: ${stderr || error.message}`))
        : resolve(stdout),
    ),
  );
}

/** How a TPC-B-like run is shaped. Exactly one of `durationS` and `transactionsPerClient` bounds it. */
export interface TpcbOptions {
  readonly scale: number;
  readonly clients: number;
  readonly threads?: number;
  readonly durationS?: number;
  readonly transactionsPerClient?: number;
}

/**
 * Initialises pgbench's tables at `options.scale` in the database of `url` (which must be a scratch
 * database: `pgbench -i` drops and recreates its `pgbench_*` tables) and runs the built-in TPC-B-like
 * script with prepared statements.
 */
export async function runPgbench(pgbench: string, url: string, options: TpcbOptions): Promise<PgbenchResult> {
  const { env, database } = libpqEnvironment(url);
  await exec(pgbench, ["-i", "-q", "-s", String(options.scale), database], env);
  const bound =
    options.transactionsPerClient !== undefined
      ? ["-t", String(options.transactionsPerClient)]
      : ["-T", String(options.durationS ?? 10)];
  const threads = String(options.threads ?? Math.min(2, options.clients));
  const args = ["-M", "prepared", "-c", String(options.clients), "-j", threads, ...bound, database];
  return parsePgbenchOutput(await exec(pgbench, args, env));
}

const ACCOUNTS_PER_BRANCH = 100_000;
const TELLERS_PER_BRANCH = 10;

/** Creates and fills pgbench-shaped tables (`limits_accounts`, …) through `pg` (the fallback's schema). */
export async function initTpcbTables(url: string, scale: number): Promise<void> {
  await admin(
    url,
    `CREATE TABLE limits_branches (bid int PRIMARY KEY, bbalance int NOT NULL, filler char(88));
     CREATE TABLE limits_tellers (tid int PRIMARY KEY, bid int NOT NULL, tbalance int NOT NULL, filler char(84));
     CREATE TABLE limits_accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84));
     CREATE TABLE limits_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
     INSERT INTO limits_branches SELECT b, 0 FROM generate_series(1, ${scale}) b;
     INSERT INTO limits_tellers SELECT t, (t - 1) / ${TELLERS_PER_BRANCH} + 1, 0
       FROM generate_series(1, ${scale * TELLERS_PER_BRANCH}) t;
     INSERT INTO limits_accounts SELECT a, (a - 1) / ${ACCOUNTS_PER_BRANCH} + 1, 0, ''
       FROM generate_series(1, ${scale * ACCOUNTS_PER_BRANCH}) a;`,
    "VACUUM ANALYZE limits_branches, limits_tellers, limits_accounts, limits_history",
  );
}

/** What the `pg` loop measured. */
export interface TpcbLoopResult {
  readonly tps: number;
  readonly transactions: number;
}

const STATEMENTS = [
  ["limits_upd_account", "UPDATE limits_accounts SET abalance = abalance + $1 WHERE aid = $2"],
  ["limits_sel_account", "SELECT abalance FROM limits_accounts WHERE aid = $1"],
  ["limits_upd_teller", "UPDATE limits_tellers SET tbalance = tbalance + $1 WHERE tid = $2"],
  ["limits_upd_branch", "UPDATE limits_branches SET bbalance = bbalance + $1 WHERE bid = $2"],
  [
    "limits_ins_history",
    "INSERT INTO limits_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)",
  ],
] as const;

const pick = (n: number) => 1 + Math.floor(Math.random() * n);

/**
 * pgbench's TPC-B-like transaction through `pg` (BEGIN, the 5 statements as named prepared statements, END)
 * on `options.clients` connections, over tables made by {@link initTpcbTables}.
 */
export async function runTpcbLoop(url: string, options: TpcbOptions): Promise<TpcbLoopResult> {
  const clients = await Promise.all(
    Array.from({ length: options.clients }, async () => {
      const client = new pg.Client({ connectionString: url });
      client.on("error", () => {});
      await client.connect();
      return client;
    }),
  );
  const [updAccount, selAccount, updTeller, updBranch, insHistory] = STATEMENTS;
  const deadline = Date.now() + (options.durationS ?? 10) * 1000;
  const more = (done: number) =>
    options.transactionsPerClient !== undefined
      ? done < options.transactionsPerClient
      : Date.now() < deadline;
  let transactions = 0;
  const start = process.hrtime.bigint();
  try {
    await Promise.all(
      clients.map(async (client) => {
        for (let done = 0; more(done); done++) {
          const aid = pick(options.scale * ACCOUNTS_PER_BRANCH);
          const tid = pick(options.scale * TELLERS_PER_BRANCH);
          const bid = pick(options.scale);
          const delta = Math.floor(Math.random() * 10_001) - 5_000;
          await client.query("BEGIN");
          await client.query({ name: updAccount[0], text: updAccount[1], values: [delta, aid] });
          await client.query({ name: selAccount[0], text: selAccount[1], values: [aid] });
          await client.query({ name: updTeller[0], text: updTeller[1], values: [delta, tid] });
          await client.query({ name: updBranch[0], text: updBranch[1], values: [delta, bid] });
          await client.query({ name: insHistory[0], text: insHistory[1], values: [tid, bid, aid, delta] });
          await client.query("END");
          transactions++;
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { tps: transactions / seconds, transactions };
}
