/**
 * Part of `npm run bench -- profile`: the time of each SQL statement of a governed action in the real flow, on
 * SQLite `:memory:` through the facade (one caller, `propose` + `complete`). Each statement's `run`/`all` is
 * timed where better-sqlite3 executes it, so the figures are SQLite's own work plus the binding of parameters
 * and the reading of rows, per governed action.
 */
import Database from "better-sqlite3";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";

interface Timing {
  count: number;
  nanos: number;
}

type Timed = Record<"run" | "all" | "get", (...params: unknown[]) => unknown> & {
  raw: (on: boolean) => unknown;
};

/** Wraps `db.prepare` so that every execution of a prepared statement adds its time to `timings` while `on()`. */
function instrument(db: Database.Database, timings: Map<string, Timing>, on: () => boolean): void {
  const prepare = db.prepare.bind(db);
  (db as unknown as { prepare: (sql: string) => unknown }).prepare = (sql: string) => {
    const stmt = prepare(sql) as unknown as Timed;
    const key = sql.replace(/\s+/g, " ").trim().slice(0, 80);
    for (const name of ["run", "all", "get"] as const) {
      const call = stmt[name].bind(stmt);
      stmt[name] = (...params: unknown[]) => {
        if (!on()) return call(...params);
        const t0 = process.hrtime.bigint();
        try {
          return call(...params);
        } finally {
          const t = timings.get(key) ?? { count: 0, nanos: 0 };
          t.count++;
          t.nanos += Number(process.hrtime.bigint() - t0);
          timings.set(key, t);
        }
      };
    }
    const raw = stmt.raw.bind(stmt);
    stmt.raw = (rawOn: boolean) => {
      raw(rawOn);
      return stmt;
    };
    return stmt;
  };
}

/** Runs `iterations` governed actions (after a warm-up) and prints each statement's µs per action. */
export async function printStatementTimes(iterations: number): Promise<void> {
  const db = new Database(":memory:");
  db.pragma("foreign_keys = ON");
  const timings = new Map<string, Timing>();
  let timing = false;
  instrument(db, timings, () => timing);
  const storage = createSqliteStorage({ database: db });
  const cp = await createControlPlane({
    storage,
    policy: { version: 1, actions: { autoApprove: ["write_file"] } },
    recoverOnStart: false,
  });
  try {
    const session = await cp.openSession({ name: "statements" });
    const warmup = Math.min(2_000, iterations);
    for (let i = 0; i < warmup + iterations; i++) {
      timing = i >= warmup;
      const d = await cp.propose({
        sessionId: session.id,
        action: "write_file",
        resourceId: `r${i}`,
        cost: "0.01",
      });
      if (d.outcome !== "allowed") throw new Error(`unexpected ${d.outcome}: ${d.reason}`);
      await cp.complete(d.proposalId, { ok: true });
    }
  } finally {
    await cp.close();
    db.close();
  }
  const rows = [...timings].sort((a, b) => b[1].nanos - a[1].nanos);
  const total = rows.reduce((n, [, t]) => n + t.nanos, 0);
  console.log(
    "\n## SQL statements of one governed action (SQLite :memory:, propose + complete), in the real flow",
  );
  console.log(" µs/action  per action  statement");
  for (const [sql, t] of rows) {
    const us = (t.nanos / iterations / 1000).toFixed(2).padStart(9);
    console.log(`${us}  ${(t.count / iterations).toFixed(1).padStart(10)}  ${sql}`);
  }
  console.log(`${(total / iterations / 1000).toFixed(2).padStart(9)}  (all statements)`);
}
