import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ticketRequest } from "../src/engines/approvals/approval-gate.js";
import type { ControlPlaneError } from "../src/errors/control-plane-error.js";
import {
  createPostgresStorage,
  POSTGRES_MIGRATIONS,
  POSTGRES_SCHEMA_VERSION,
  type PostgresStorage,
  postgresMigrationSql,
} from "../src/storage/postgres/index.js";
import { proposalRecord, sessionRecord, ticketRecord } from "../src/testing/index.js";
import { adminQuery, DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";

const server = await probePostgres();

const session = sessionRecord;

describe("createPostgresStorage options", () => {
  const bad: [string, unknown, RegExp][] = [
    ["no source", {}, /options: expected exactly one of connectionString, pool, kysely, pglite \(got none\)/],
    ["two sources", { connectionString: "x", pool: { connect() {} } }, /got connectionString, pool/],
    ["bad schema", { connectionString: "x", schema: "a-b" }, /options\.schema: expected an identifier/],
    [
      "bad pool size",
      { connectionString: "x", poolSize: 0 },
      /options\.poolSize: expected an integer from 1 to 1000/,
    ],
    ["pool size without url", { pool: { connect() {} }, poolSize: 5 }, /options\.poolSize: only applies/],
    ["bad retries", { connectionString: "x", maxRetries: -1 }, /options\.maxRetries/],
    ["bad listen", { connectionString: "x", listen: "yes" }, /options\.listen: expected a boolean/],
    ["not a pool", { pool: {} }, /options\.pool: expected a pg Pool/],
    ["not kysely", { kysely: { executeQuery() {} } }, /options\.kysely: expected a Kysely instance/],
    [
      "kysely transaction",
      { kysely: { executeQuery() {}, transaction() {}, isTransaction: true } },
      /not a transaction/,
    ],
  ];
  for (const [name, options, message] of bad) {
    it(`rejects ${name} at once, naming the option`, () => {
      expect(() => createPostgresStorage(options as never)).toThrow(message);
    });
  }
  it("reports every problem together", () => {
    try {
      createPostgresStorage({ connectionString: "", schema: "1x", maxRetries: 99 });
      expect.unreachable();
    } catch (error) {
      expect((error as ControlPlaneError).code).toBe("validation_failed");
      expect((error as Error).message).toMatch(
        /options\.connectionString[\s\S]*options\.schema[\s\S]*options\.maxRetries/,
      );
    }
  });
});

describe("migration SQL export", () => {
  it("renders self-contained, schema-qualified scripts that record their version", () => {
    const [first] = postgresMigrationSql({ schema: "gov" });
    expect(first?.version).toBe(1);
    expect(first?.sql).toContain('CREATE SCHEMA IF NOT EXISTS "gov"');
    expect(first?.sql).toContain('CREATE TABLE "gov".acp_events');
    expect(first?.sql).toContain('INSERT INTO "gov".acp_migrations (version, name) VALUES (1');
    expect(first?.sql).not.toMatch(/VARCHAR/i);
  });
});

describe.runIf(server.available)("PostgreSQL adapter on a server", () => {
  const schema = uniqueSchema("adapter");
  let storage: PostgresStorage;
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
    storage = createPostgresStorage({ pool, schema });
    await storage.migrate();
    await storage.transaction(async (tx) => {
      for (const id of ["s1", "s2", "a", "b"]) await tx.sessions.insert(session(id));
    });
  });
  afterAll(async () => {
    await storage.close();
    await pool.query("SELECT 1"); // close() never ends the host's pool
    await pool.end();
    await dropSchema(schema);
  });

  const begin = async () => {
    const client = await pool.connect();
    await client.query("BEGIN");
    return client;
  };
  const append = (client: pg.PoolClient, sessionId: string) =>
    storage.transaction(
      (tx) => tx.events.append({ sessionId, kind: "proposal_decided", payload: {}, at: 1 }),
      {
        external: client,
      },
    );
  const feedIds = async (afterId = 0) =>
    (await storage.read((tx) => tx.events.feed({ afterId, limit: 100 }))).map((e) => e.id);

  it("feed: an event committed with a higher id is held back until a lower in-flight id commits", async () => {
    const start = (await feedIds()).at(-1) ?? 0;
    const t2 = await begin();
    const t1 = await begin();
    try {
      // t2 gets its transaction id first, t1 then allocates the lower event id: id order != xid order.
      await t2.query(
        `INSERT INTO "${schema}".acp_policies (id, document, created_at) VALUES ('xid-first', '{}', 1)`,
      );
      const e1 = await append(t1, "s1");
      const e2 = await append(t2, "s2");
      expect(e1.id).toBeLessThan(e2.id);
      await t2.query("COMMIT");
      // A naive `id > cursor` reader would see e2 now and later skip e1.
      const naive = await pool.query(`SELECT id FROM "${schema}".acp_events WHERE id > $1`, [start]);
      expect(naive.rows.map((r) => Number(r.id))).toEqual([e2.id]);
      expect(await feedIds(start)).toEqual([]);
      await t1.query("COMMIT");
      expect(await feedIds(start)).toEqual([e1.id, e2.id]);
    } finally {
      t1.release();
      t2.release();
    }
  });

  it("feed: a rolled-back lower id leaves a gap that no longer holds the feed back", async () => {
    const start = (await feedIds()).at(-1) ?? 0;
    const t1 = await begin();
    const t2 = await begin();
    try {
      const e1 = await append(t1, "a");
      const e2 = await append(t2, "b");
      await t2.query("COMMIT");
      expect(await feedIds(start)).toEqual([]);
      await t1.query("ROLLBACK");
      expect(await feedIds(start)).toEqual([e2.id]);
      expect(e1.id).toBeLessThan(e2.id);
    } finally {
      t1.release();
      t2.release();
    }
  });

  it("feed: a transaction sees its own uncommitted events", async () => {
    const ids = await storage.transaction(async (tx) => {
      const e = await tx.events.append({ sessionId: "s1", kind: "proposal_decided", payload: {}, at: 1 });
      return { e, feed: await tx.events.feed({ afterId: e.id - 1, limit: 10 }) };
    });
    expect(ids.feed.map((e) => e.id)).toEqual([ids.e.id]);
  });

  it("external pg client: governance writes commit or roll back with the host's transaction", async () => {
    await pool.query(`CREATE TABLE IF NOT EXISTS "${schema}".host_orders (id TEXT PRIMARY KEY)`);
    const c = await begin();
    await c.query(`INSERT INTO "${schema}".host_orders VALUES ('o1')`);
    await storage.transaction((tx) => tx.sessions.insert(session("ext-rolled-back")), { external: c });
    await c.query("ROLLBACK");
    c.release();
    expect(await storage.read((tx) => tx.sessions.get("ext-rolled-back"))).toBeUndefined();
    expect((await pool.query(`SELECT * FROM "${schema}".host_orders`)).rows).toEqual([]);

    const d = await begin();
    await d.query(`INSERT INTO "${schema}".host_orders VALUES ('o2')`);
    await storage.transaction((tx) => tx.sessions.insert(session("ext-committed")), { external: d });
    expect(await storage.read((tx) => tx.sessions.get("ext-committed"))).toBeUndefined(); // not yet committed
    await d.query("COMMIT");
    d.release();
    expect(await storage.read((tx) => tx.sessions.get("ext-committed"))).toMatchObject({
      id: "ext-committed",
    });
  });

  it("external Kysely transaction: writes join the host's transaction", async () => {
    const kysely = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: DATABASE_URL, max: 2 }) }),
    });
    try {
      await expect(
        kysely.transaction().execute(async (trx) => {
          await storage.transaction((tx) => tx.sessions.insert(session("ky-rolled-back")), { external: trx });
          throw new Error("host fails");
        }),
      ).rejects.toThrow("host fails");
      expect(await storage.read((tx) => tx.sessions.get("ky-rolled-back"))).toBeUndefined();
      await kysely
        .transaction()
        .execute((trx) =>
          storage.transaction((tx) => tx.sessions.insert(session("ky-committed")), { external: trx }),
        );
      expect(await storage.read((tx) => tx.sessions.get("ky-committed"))).toMatchObject({
        id: "ky-committed",
      });
      await expect(storage.transaction(async () => 1, { external: kysely })).rejects.toThrow(
        /Kysely instance is not a transaction/,
      );
    } finally {
      await kysely.destroy();
    }
  });

  it("rejects external handles it cannot use, writing nothing", async () => {
    const write = (external: unknown) =>
      storage.transaction((tx) => tx.sessions.insert(session("never")), { external });
    await expect(write(pool)).rejects.toThrow(/a pg Pool is not a transaction/);
    await expect(write({ foo: 1 })).rejects.toThrow(/unrecognised handle/);
    await expect(write(null)).rejects.toThrow(/expected a transaction handle/);
    const idle = await pool.connect();
    try {
      await expect(write(idle)).rejects.toThrow(/not inside a transaction: run BEGIN first/);
    } finally {
      idle.release();
    }
    expect(await storage.read((tx) => tx.sessions.get("never"))).toBeUndefined();
  });

  it("consumeScope: a consumer that waited on an exhausted scope takes the next covering one", async () => {
    const scope = {
      kind: "session" as const,
      actions: null,
      resourceIds: null,
      maxCostPerAction: null,
      expiresAt: null,
    };
    await storage.transaction(async (tx) => {
      for (const [id, at, remaining] of [
        ["k1", 10, 1],
        ["k2", 20, 5],
      ] as const) {
        await tx.tickets.insert({
          id,
          sessionId: "s2",
          proposalId: `p-${id}`,
          request: ticketRecord(id, "s2", `p-${id}`).request,
          status: "approved",
          createdAt: at,
          deadlineAt: 99,
          decidedAt: at,
          decidedBy: "op",
          reason: null,
          scope: { ...scope, remaining },
          escalationLevel: 0,
        });
      }
    });
    const q = { sessionId: "s2", action: "x", resourceId: null, cost: 0, now: 50 };
    const t1 = await begin();
    const t2 = await begin();
    try {
      const first = await storage.transaction((tx) => tx.tickets.consumeScope(q), { external: t1 });
      expect(first).toMatchObject({ id: "k1", scope: { remaining: 0 } });
      // t2 blocks on k1's row lock; when t1 commits, k1 no longer covers and t2 must move on to k2.
      const second = storage.transaction((tx) => tx.tickets.consumeScope(q), { external: t2 });
      await t1.query("COMMIT");
      expect(await second).toMatchObject({ id: "k2", scope: { remaining: 4 } });
      await t2.query("COMMIT");
    } finally {
      t1.release();
      t2.release();
    }
  });

  it("re-runs a transaction that lost a deadlock (40P01); with maxRetries 0 it rejects", async () => {
    const run = async (s: PostgresStorage) => {
      let arrived = 0;
      let open!: () => void;
      const barrier = new Promise<void>((r) => {
        open = r;
      });
      const cross = (first: string, second: string) =>
        s.transaction(async (tx) => {
          await tx.sessions.adjustBudget(first, 1, 0, 2);
          if (++arrived === 2) open();
          await barrier;
          await tx.sessions.adjustBudget(second, 1, 0, 2);
        });
      return Promise.allSettled([cross("a", "b"), cross("b", "a")]);
    };
    const results = await run(storage);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    const strict = createPostgresStorage({ pool, schema, maxRetries: 0 });
    const strictResults = await run(strict);
    await strict.close();
    const failed = strictResults.filter((r) => r.status === "rejected");
    expect(failed).toHaveLength(1);
    const reason = (failed[0] as PromiseRejectedResult).reason as ControlPlaneError;
    expect(reason.code).toBe("storage_failure");
    expect((reason.cause as { code?: string }).code).toBe("40P01");
  });

  it("LISTEN is re-established after its connection is terminated", async () => {
    const seen: string[] = [];
    const stop = await storage.subscribe((c) => seen.push(c.id));
    const killed = await adminQuery(
      "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query = $1",
      [`LISTEN "${storage.channel}"`],
    );
    expect(killed.map((r) => r.ok)).toContain(true);
    // Notices sent while the connection is down are lost (the port allows it); keep sending until one arrives.
    for (let i = 0; !seen.some((id) => id.startsWith("after-")); i++) {
      await storage.transaction(async (tx) => tx.notify({ topic: "ticket", id: `after-${i}` }));
      await new Promise((r) => setTimeout(r, 20));
    }
    await stop();
  });

  it("migrate: false checks the version and names the fix; exported SQL satisfies it", async () => {
    const fresh = uniqueSchema("exported");
    try {
      const unmigrated = createPostgresStorage({
        connectionString: DATABASE_URL,
        schema: fresh,
        migrate: false,
      });
      await expect(unmigrated.read(async () => 1)).rejects.toThrow(
        new RegExp(`at version 0, this adapter needs ${POSTGRES_SCHEMA_VERSION}: apply postgresMigrationSql`),
      );
      await unmigrated.close();
      for (const m of postgresMigrationSql({ schema: fresh })) await adminQuery(m.sql);
      const migrated = createPostgresStorage({
        connectionString: DATABASE_URL,
        schema: fresh,
        migrate: false,
      });
      await migrated.transaction((tx) => tx.sessions.insert(session("x")));
      expect(await migrated.read((tx) => tx.sessions.get("x"))).toMatchObject({ id: "x" });
      await migrated.close();
      const rows = await adminQuery(`SELECT version FROM "${fresh}".acp_migrations ORDER BY version`);
      expect(rows).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version })));
    } finally {
      await dropSchema(fresh);
    }
  });

  it("migration 3 fills the request of tickets opened before it from their proposals", async () => {
    const fresh = uniqueSchema("backfill");
    try {
      const before = createPostgresStorage({ connectionString: DATABASE_URL, schema: fresh });
      const proposal = proposalRecord("p1", "s1", { agentId: "a1", cost: 2_500_000 });
      await before.transaction(async (tx) => {
        await tx.sessions.insert(session("s1"));
        await tx.proposals.insert(proposal);
        await tx.tickets.insert(ticketRecord("t1", "s1", "p1"));
      });
      await before.close();
      await adminQuery(`ALTER TABLE "${fresh}".acp_tickets DROP COLUMN request`);
      await adminQuery(`DELETE FROM "${fresh}".acp_migrations WHERE version = 3`);
      const after = createPostgresStorage({ connectionString: DATABASE_URL, schema: fresh });
      expect((await after.read((tx) => tx.tickets.get("t1")))?.request).toEqual(ticketRequest(proposal));
      await after.close();
    } finally {
      await dropSchema(fresh);
    }
  });

  it("rejects calls after close()", async () => {
    const s = createPostgresStorage({ pool, schema });
    await s.close();
    await expect(s.read(async () => 1)).rejects.toMatchObject({ code: "closed" });
  });
});

if (!server.available) it.skip(`PostgreSQL adapter server tests: ${server.reason}`, () => {});
