import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlPlane } from "../src/control-plane/control-plane.js";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import type { AuditReport } from "../src/engines/audit/audit-problem.js";
import { ValidationError } from "../src/errors/validation-error.js";
import { createMemoryStorage } from "../src/storage/memory/index.js";
import { createPostgresStorage, type PostgresStorage } from "../src/storage/postgres/index.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import { TEST_POLICY } from "./support/control-plane-fixture.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";

const server = await probePostgres();

/** Direct SQL on the database behind the control plane's back (`?` placeholders, unqualified table names). */
interface Tamperer {
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** How to read the payload as text, and how to write it back. */
  readonly payloadText: string;
  readonly payloadParam: string;
  close(): Promise<void>;
}

function sqliteTamperer(path: string): Tamperer {
  const db = new Database(path);
  return {
    async query(sql, params = []) {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
      statement.run(...params);
      return [];
    },
    payloadText: "payload",
    payloadParam: "?",
    async close() {
      db.close();
    },
  };
}

async function pgTamperer(schema: string): Promise<Tamperer> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  return {
    async query(sql, params = []) {
      let n = 0;
      const text = sql
        .replaceAll(/\bacp_(events|sessions)\b/g, `"${schema}".acp_$1`)
        .replaceAll("?", () => `$${++n}`);
      return (await client.query(text, [...params])).rows;
    },
    payloadText: "payload::text AS payload",
    payloadParam: "?::jsonb",
    async close() {
      await client.end();
    },
  };
}

/** Opens a session and runs 4 allowed, completed proposals: 10 events (opened, activated, 4 × decided + done). */
async function seed(cp: ControlPlane, name: string): Promise<string> {
  const session = await cp.openSession({ name });
  for (let k = 0; k < 4; k++) {
    const d = await cp.propose({ sessionId: session.id, action: "read_file", resourceId: `${name}/f${k}` });
    if (d.outcome !== "allowed") throw new Error(`seed: ${d.outcome}`);
    await cp.complete(d.proposalId, { ok: true });
  }
  return session.id;
}

const found = (report: AuditReport) => report.problems.map((p) => `${p.kind}@${p.seq}`);

async function countEvents(t: Tamperer, sessionId?: string): Promise<number> {
  const rows =
    sessionId === undefined
      ? await t.query("SELECT count(*) AS n FROM acp_events WHERE session_id IS NOT NULL")
      : await t.query("SELECT count(*) AS n FROM acp_events WHERE session_id = ?", [sessionId]);
  return Number(rows[0]!.n);
}

/** Changes one byte of the event's payload: the first letter of its first string value. */
async function editPayloadByte(t: Tamperer, sessionId: string, seq: number): Promise<void> {
  const [row] = await t.query(`SELECT ${t.payloadText} FROM acp_events WHERE session_id = ? AND seq = ?`, [
    sessionId,
    seq,
  ]);
  const text = String(row!.payload);
  const edited = text.replace(/:\s?"([a-z])/, (m, letter: string) =>
    m.replace(letter, letter === "a" ? "b" : "a"),
  );
  expect(edited).not.toBe(text);
  expect(edited.length).toBe(text.length);
  await t.query(`UPDATE acp_events SET payload = ${t.payloadParam} WHERE session_id = ? AND seq = ?`, [
    edited,
    sessionId,
    seq,
  ]);
}

function describeTampering(
  label: string,
  open: () => Promise<{ storage: Storage; tamperer: Tamperer; cleanup: () => Promise<void> }>,
): void {
  describe(`audit hash chain tampered through direct SQL on ${label}`, () => {
    let cp: ControlPlane;
    let t: Tamperer;
    let cleanup: () => Promise<void>;
    const sessions: Record<string, string> = {};
    const expected: Record<string, readonly string[]> = {};

    beforeAll(async () => {
      const opened = await open();
      t = opened.tamperer;
      cleanup = opened.cleanup;
      cp = await createControlPlane({ storage: opened.storage, policy: TEST_POLICY });
      for (const name of [
        "untouched",
        "payload",
        "deleted",
        "cut",
        "rewound",
        "swapped",
        "rewritten",
        "legacy",
      ]) {
        sessions[name] = await seed(cp, name);
      }
    });
    afterAll(async () => {
      await cp?.close();
      await cleanup?.();
    });

    it("an untouched log verifies: ok, every event checked", async () => {
      const s = sessions.untouched!;
      expect(await countEvents(t, s)).toBe(10);
      expect(await cp.verifyAudit({ sessionId: s })).toEqual({ ok: true, checkedEvents: 10, problems: [] });
      const all = await cp.verifyAudit();
      expect(all).toEqual({ ok: true, checkedEvents: await countEvents(t), problems: [] });
    });

    it("an edited payload byte is payload_changed at its seq", async () => {
      const s = sessions.payload!;
      await editPayloadByte(t, s, 3);
      expect(found(await cp.verifyAudit({ sessionId: s }))).toEqual(["payload_changed@3"]);
      expected.payload = ["payload_changed@3"];
    });

    it("a deleted middle event is missing_event at its seq", async () => {
      const s = sessions.deleted!;
      await t.query("DELETE FROM acp_events WHERE session_id = ? AND seq = 4", [s]);
      const report = await cp.verifyAudit({ sessionId: s });
      expect(found(report)).toEqual(["missing_event@4"]);
      expect(report).toMatchObject({ ok: false, checkedEvents: 9 });
      expected.deleted = ["missing_event@4"];
    });

    it("a truncated tail is truncated, against the session's last seq", async () => {
      const s = sessions.cut!;
      await t.query("DELETE FROM acp_events WHERE session_id = ? AND seq > 6", [s]);
      expect(found(await cp.verifyAudit({ sessionId: s }))).toEqual(["truncated@7"]);
      expected.cut = ["truncated@7"];
    });

    it("a truncated tail with the counter rewound is truncated, against the session's head link", async () => {
      const s = sessions.rewound!;
      await t.query("DELETE FROM acp_events WHERE session_id = ? AND seq > 6", [s]);
      await t.query("UPDATE acp_sessions SET last_seq = 6 WHERE id = ?", [s]);
      expect(found(await cp.verifyAudit({ sessionId: s }))).toEqual(["truncated@7"]);
      expected.rewound = ["truncated@7"];
    });

    it("reordered events (two seqs swapped) are reordered at both seqs", async () => {
      const s = sessions.swapped!;
      await t.query("UPDATE acp_events SET seq = -1 WHERE session_id = ? AND seq = 3", [s]);
      await t.query("UPDATE acp_events SET seq = 3 WHERE session_id = ? AND seq = 4", [s]);
      await t.query("UPDATE acp_events SET seq = 4 WHERE session_id = ? AND seq = -1", [s]);
      expect(found(await cp.verifyAudit({ sessionId: s }))).toEqual(["reordered@3", "reordered@4"]);
      expected.swapped = ["reordered@3", "reordered@4"];
    });

    it("a rewritten link is chain_broken at its seq", async () => {
      const s = sessions.rewritten!;
      await t.query("UPDATE acp_events SET chain_hash = ? WHERE session_id = ? AND seq = 5", [
        "ab".repeat(32),
        s,
      ]);
      expect(found(await cp.verifyAudit({ sessionId: s }))).toEqual(["chain_broken@5"]);
      expected.rewritten = ["chain_broken@5"];
    });

    it("events from before the migration are unchained; later appends chain from the genesis value", async () => {
      const s = sessions.legacy!;
      await t.query("UPDATE acp_events SET chain_hash = NULL WHERE session_id = ?", [s]);
      await t.query("UPDATE acp_sessions SET chain_head = NULL WHERE id = ?", [s]);
      const d = await cp.propose({ sessionId: s, action: "read_file", resourceId: "legacy/after" });
      await cp.complete(d.proposalId, { ok: true });
      const report = await cp.verifyAudit({ sessionId: s });
      expect(report.problems).toEqual([expect.objectContaining({ kind: "unchained", seq: 1, sessionId: s })]);
      expect(report.problems[0]!.detail).toContain("1..10");
      expect(report.checkedEvents).toBe(12);
      expected.legacy = ["unchained@1"];
    });

    it("verifying everything reports each tampered session's problems, and none for the untouched one", async () => {
      const report = await cp.verifyAudit();
      expect(report.ok).toBe(false);
      expect(report.checkedEvents).toBe(await countEvents(t));
      for (const [name, id] of Object.entries(sessions)) {
        const mine = report.problems.filter((p) => p.sessionId === id).map((p) => `${p.kind}@${p.seq}`);
        expect([name, mine]).toEqual([name, expected[name] ?? []]);
      }
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "acp-audit-chain-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeTampering("a SQLite file (better-sqlite3 on the same file)", async () => {
  const path = join(dir, "audit.db");
  const storage = createSqliteStorage({ path });
  return {
    storage,
    tamperer: sqliteTamperer(path),
    cleanup: async () => {
      await storage.close();
    },
  };
});

describe.runIf(server.available)("PostgreSQL", () => {
  describeTampering("PostgreSQL (pg on the same schema)", async () => {
    const schema = uniqueSchema("audit_chain");
    const storage: PostgresStorage = createPostgresStorage({ connectionString: DATABASE_URL, schema });
    await storage.migrate();
    const tamperer = await pgTamperer(schema);
    return {
      storage,
      tamperer,
      cleanup: async () => {
        await tamperer.close();
        await storage.close();
        await dropSchema(schema);
      },
    };
  });
});

describe("verifyAudit on the memory adapter", () => {
  it("verifies an untouched log and validates its query", async () => {
    const cp = await createControlPlane({ storage: createMemoryStorage(), policy: TEST_POLICY });
    const a = await seed(cp, "a");
    await seed(cp, "b");
    expect(await cp.verifyAudit({ sessionId: a })).toEqual({ ok: true, checkedEvents: 10, problems: [] });
    expect(await cp.verifyAudit()).toEqual({ ok: true, checkedEvents: 20, problems: [] });
    await expect(cp.verifyAudit({ sessionId: "" })).rejects.toThrow(ValidationError);
    await expect(cp.verifyAudit({ sessionId: "a", since: 1 } as never)).rejects.toThrow(/since/);
    await expect(cp.verifyAudit({ sessionId: "nope" })).rejects.toMatchObject({ code: "not_found" });
  });

  it("a rolled-back append leaves the chain head where it was", async () => {
    const storage = createMemoryStorage();
    const cp = await createControlPlane({ storage, policy: TEST_POLICY });
    const s = await seed(cp, "r");
    await expect(
      storage.transaction(async (tx) => {
        await tx.events.append({ sessionId: s, kind: "cycle_started", payload: {}, at: 1 });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    await cp.pauseSession(s);
    expect(await cp.verifyAudit({ sessionId: s })).toEqual({ ok: true, checkedEvents: 11, problems: [] });
  });
});
