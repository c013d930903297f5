import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { ticketRequest } from "../src/engines/approvals/approval-gate.js";
import { StorageError } from "../src/errors/control-plane-error.js";
import { ValidationError } from "../src/errors/validation-error.js";
import { createSqliteStorage, SQLITE_MIGRATIONS, sqliteMigrationsSql } from "../src/storage/sqlite/index.js";
import {
  describeStorageConformance,
  proposalRecord,
  sessionRecord,
  ticketRecord,
} from "../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "acp-sqlite-conformance-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStorageConformance("sqlite file (WAL, synchronous=FULL)", async () => ({
  storage: createSqliteStorage({ path: join(dir, `wal-${n++}.db`) }),
}));

describeStorageConformance("sqlite file (journal_mode=DELETE)", async () => ({
  storage: createSqliteStorage({ path: join(dir, `delete-${n++}.db`), journalMode: "delete" }),
}));

describeStorageConformance("sqlite :memory:", async () => ({
  storage: createSqliteStorage({ path: ":memory:" }),
}));

describeStorageConformance("sqlite via a host better-sqlite3 database", async () => {
  const database = new Database(join(dir, `host-${n++}.db`));
  return { storage: createSqliteStorage({ database }), cleanup: async () => void database.close() };
});

describeStorageConformance("sqlite via a host Kysely instance", async () => {
  const kysely = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: new Database(join(dir, `kysely-${n++}.db`)) }),
  });
  return { storage: createSqliteStorage({ kysely }), cleanup: () => kysely.destroy() };
});

const session = (id: string) => sessionRecord(id);

describe("SQLite adapter specifics", () => {
  it("validates options eagerly, naming the bad option", () => {
    expect(() => createSqliteStorage({})).toThrow(
      /options: expected exactly one of path, database or kysely/,
    );
    expect(() => createSqliteStorage({ path: ":memory:", kysely: {} as never })).toThrow(
      /options\.kysely|got path, kysely/,
    );
    expect(() => createSqliteStorage({ path: "" })).toThrow(/options\.path/);
    expect(() => createSqliteStorage({ path: ":memory:", synchronous: "off" as never })).toThrow(
      /options\.synchronous/,
    );
    expect(() => createSqliteStorage({ path: ":memory:", journalMode: "wal2" as never })).toThrow(
      /options\.journalMode/,
    );
    expect(() => createSqliteStorage({ path: ":memory:", busyTimeoutMs: -1 })).toThrow(
      /options\.busyTimeoutMs/,
    );
    expect(() => createSqliteStorage({ path: ":memory:", maxBatch: 0 })).toThrow(/options\.maxBatch/);
    expect(() => createSqliteStorage({ database: {} as never })).toThrow(/options\.database/);
    try {
      createSqliteStorage({ path: ":memory:", maxBatch: 1.5 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
    }
  });

  it("applies migrations once per file and records them; a newer schema is refused", async () => {
    const path = join(dir, `migrate-${n++}.db`);
    for (let i = 0; i < 2; i++) {
      const s = createSqliteStorage({ path });
      await s.open();
      await s.close();
    }
    const db = new Database(path);
    expect(db.prepare("SELECT version, name FROM acp_schema_migrations").all()).toEqual(
      SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
    );
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.prepare(
      "INSERT INTO acp_schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)",
    ).run();
    db.close();
    const s = createSqliteStorage({ path });
    await expect(s.transaction(async () => 1)).rejects.toMatchObject({
      code: "storage_failure",
      message: /newer/,
    });
    await s.close();
  });

  it("migration 4 fills the request of tickets opened before it from their proposals", async () => {
    const path = join(dir, `backfill-${n++}.db`);
    const before = createSqliteStorage({ path });
    const proposal = proposalRecord("p1", "s1", { agentId: "a1", cost: 2_500_000 });
    await before.transaction(async (tx) => {
      await tx.sessions.insert(session("s1"));
      await tx.proposals.insert(proposal);
      await tx.tickets.insert(ticketRecord("t1", "s1", "p1"));
    });
    await before.close();
    const db = new Database(path);
    db.exec(
      "ALTER TABLE acp_tickets DROP COLUMN request; DELETE FROM acp_schema_migrations WHERE version = 4",
    );
    db.close();
    const after = createSqliteStorage({ path });
    expect((await after.read((tx) => tx.tickets.get("t1")))?.request).toEqual(ticketRequest(proposal));
    await after.close();
  });

  it("migration 7 adds engaged_by: switches engaged before it read as not recorded", async () => {
    const path = join(dir, `engaged-by-${n++}.db`);
    const before = createSqliteStorage({ path });
    await before.transaction((tx) => tx.killSwitches.engage("global", "", "old", 1000));
    await before.close();
    const db = new Database(path);
    db.exec(
      "ALTER TABLE acp_kill_switches DROP COLUMN engaged_by; DELETE FROM acp_schema_migrations WHERE version = 7",
    );
    db.close();
    const after = createSqliteStorage({ path });
    expect(await after.read((tx) => tx.killSwitches.list({}))).toEqual([
      expect.objectContaining({ reason: "old", engagedBy: null }),
    ]);
    await after.transaction((tx) => tx.killSwitches.engage("agent", "a1", "new", 2000, "olivia"));
    const listed = await after.read((tx) => tx.killSwitches.list({}));
    expect(listed.map((k) => [k.scope, k.engagedBy])).toEqual([
      ["global", null],
      ["agent", "olivia"],
    ]);
    await after.close();
  });

  it("exports the migrations as plain SQL that a host tool can apply", async () => {
    const sql = sqliteMigrationsSql();
    expect(sql).toContain("CREATE TABLE acp_events");
    const database = new Database(":memory:");
    database.exec(sql);
    const s = createSqliteStorage({ database, migrate: false });
    await s.transaction((tx) => tx.sessions.insert(session("s1")));
    expect(await s.read((tx) => tx.sessions.get("s1"))).toMatchObject({ id: "s1" });
    await s.close();
    const auto = createSqliteStorage({ database });
    await auto.open();
    expect(database.prepare("SELECT COUNT(*) AS n FROM acp_schema_migrations").get()).toEqual({
      n: SQLITE_MIGRATIONS.length,
    });
    await auto.close();
    database.close();
  });

  it("joins a host better-sqlite3 transaction: commits and rolls back with it", async () => {
    const database = new Database(join(dir, `external-${n++}.db`));
    const s = createSqliteStorage({ database });
    await s.open();
    database.exec("BEGIN IMMEDIATE");
    await s.transaction((tx) => tx.sessions.insert(session("rolled-back")), { external: database });
    database.exec("ROLLBACK");
    database.exec("BEGIN IMMEDIATE");
    await s.transaction((tx) => tx.sessions.insert(session("kept")), { external: database });
    database.exec("COMMIT");
    expect(await s.read((tx) => tx.sessions.get("rolled-back"))).toBeUndefined();
    expect(await s.read((tx) => tx.sessions.get("kept"))).toBeDefined();
    await expect(s.transaction(async () => 1, { external: database })).rejects.toMatchObject({
      code: "validation_failed",
      message: /not inside a transaction/,
    });
    await expect(s.transaction(async () => 1, { external: { some: "thing" } })).rejects.toMatchObject({
      code: "validation_failed",
    });
    await s.close();
    expect(database.open).toBe(true);
    database.close();
  });

  it("joins a host Kysely transaction and never destroys the host's Kysely", async () => {
    const kysely = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: new Database(join(dir, `kysely-ext-${n++}.db`)) }),
    });
    const s = createSqliteStorage({ kysely });
    await s.open();
    await expect(
      kysely.transaction().execute(async (trx) => {
        await s.transaction((tx) => tx.sessions.insert(session("rolled-back")), { external: trx });
        throw new Error("host fails");
      }),
    ).rejects.toThrow("host fails");
    await kysely
      .transaction()
      .execute((trx) => s.transaction((tx) => tx.sessions.insert(session("kept")), { external: trx }));
    expect(await s.read((tx) => tx.sessions.get("rolled-back"))).toBeUndefined();
    expect(await s.read((tx) => tx.sessions.get("kept"))).toBeDefined();
    await expect(s.transaction(async () => 1, { external: kysely })).rejects.toMatchObject({
      code: "validation_failed",
    });
    await s.close();
    const rows = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM acp_sessions`.execute(kysely);
    expect(rows.rows[0]?.n).toBe(1);
    await kysely.destroy();
  });

  it("surfaces driver faults as StorageError with the cause kept, and rejects after close", async () => {
    const database = new Database(":memory:");
    const s = createSqliteStorage({ database });
    await s.open();
    database.exec("DROP TABLE acp_leases");
    const error = await s
      .transaction((tx) =>
        tx.leases.acquire(
          { key: "k", owner: "o", expiresAt: 2, sessionId: null, proposalId: null, acquiredAt: 1 },
          1,
        ),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).cause).toBeInstanceOf(Error);
    await s.close();
    await expect(s.transaction(async () => 1)).rejects.toMatchObject({ code: "closed" });
    database.close();
  });

  it("read() refuses to write on a file database", async () => {
    const s = createSqliteStorage({ path: join(dir, `readonly-${n++}.db`) });
    await expect(s.read((tx) => tx.sessions.insert(session("x")))).rejects.toBeInstanceOf(StorageError);
    expect(await s.read((tx) => tx.sessions.get("x"))).toBeUndefined();
    await s.close();
  });
});
