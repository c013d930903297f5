import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPostgresStorage,
  POSTGRES_MIGRATIONS,
  type PostgresStorage,
} from "../src/storage/postgres/index.js";
import { sessionRecord, ticketRecord } from "../src/testing/index.js";
import type { SessionRecord } from "../src/types/session.js";
import { adminQuery, DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";
import { spawnWorker } from "./support/spawn-worker.js";

const server = await probePostgres();
const WORKER = "test/fixtures/postgres-worker.ts";
const PROCESSES = 8;
const TRANSACTIONS = 500;

const session = (id: string, maxActions: number | null): SessionRecord => sessionRecord(id, { maxActions });

interface RaceResult {
  readonly reserved: Record<string, number>;
  readonly seqs: Record<string, number[]>;
  readonly decided: string[];
}

describe.runIf(server.available)("PostgreSQL with several processes", () => {
  const schema = uniqueSchema("multiprocess");
  let storage: PostgresStorage;
  beforeAll(async () => {
    storage = createPostgresStorage({
      connectionString: `${DATABASE_URL}${DATABASE_URL.includes("?") ? "&" : "?"}application_name=acp-mp-test`,
      schema,
    });
    await storage.migrate();
  });
  afterAll(async () => {
    await storage.close();
    await dropSchema(schema);
  });

  it(`${PROCESSES} processes × ${TRANSACTIONS} transactions: exact budget, gap-free seqs, tickets decided once`, async () => {
    const sessions = ["r0", "r1", "r2", "r3"];
    const budget = 400; // per session; 4000 attempts on 4 sessions exceed it
    const tickets = Array.from({ length: 200 }, (_, i) => `rt${i}`);
    await storage.transaction(async (tx) => {
      for (const id of sessions) await tx.sessions.insert(session(id, budget));
      for (const id of tickets) {
        await tx.tickets.insert({
          id,
          sessionId: "r0",
          proposalId: `p-${id}`,
          request: ticketRecord(id, "r0", `p-${id}`).request,
          status: "pending",
          createdAt: 1,
          deadlineAt: 1e12,
          decidedAt: null,
          decidedBy: null,
          reason: null,
          scope: null,
          escalationLevel: 0,
        });
      }
    });
    const startAt = Date.now() + 2500;
    const workers = Array.from({ length: PROCESSES }, (_, worker) =>
      spawnWorker(WORKER, {
        mode: "race",
        url: DATABASE_URL,
        schema,
        worker,
        transactions: TRANSACTIONS,
        sessions,
        tickets,
        startAt,
      }),
    );
    const results = await Promise.all(workers.map((w) => w.done<RaceResult>()));

    const reserved = (id: string) => results.reduce((n, r) => n + (r.reserved[id] ?? 0), 0);
    for (const id of sessions) expect(reserved(id)).toBe(budget);
    const stored = await storage.read(async (tx) => Promise.all(sessions.map((id) => tx.sessions.get(id))));
    for (const s of stored) expect(s?.usedActions).toBe(budget);

    let totalEvents = 0;
    for (const id of sessions) {
      const reported = results.flatMap((r) => r.seqs[id] ?? []).sort((a, b) => a - b);
      expect(reported).toEqual(reported.map((_, i) => i + 1)); // every seq once, none missing
      const listed = await storage.read((tx) => tx.events.list(id, { limit: 100_000 }));
      expect(listed.map((e) => e.seq)).toEqual(reported);
      totalEvents += reported.length;
    }
    expect(totalEvents).toBe(PROCESSES * TRANSACTIONS);

    const decided = results.flatMap((r) => r.decided);
    expect(new Set(decided).size).toBe(decided.length); // no ticket decided twice
    expect(decided.sort()).toEqual([...tickets].sort()); // and every ticket was decided
    expect(await storage.read((tx) => tx.tickets.countPending())).toBe(0);
  });

  it("several processes migrate a fresh schema at once: each migration applied exactly once", async () => {
    const fresh = uniqueSchema("concurrent_migrate");
    try {
      const startAt = Date.now() + 2500;
      const workers = Array.from({ length: 6 }, () =>
        spawnWorker(WORKER, { mode: "migrate", url: DATABASE_URL, schema: fresh, startAt }),
      );
      const results = await Promise.all(workers.map((w) => w.done<{ migrated: boolean }>()));
      expect(results.every((r) => r.migrated)).toBe(true);
      expect(await adminQuery(`SELECT version FROM "${fresh}".acp_migrations ORDER BY version`)).toEqual(
        POSTGRES_MIGRATIONS.map((m) => ({ version: m.version })),
      );
      const tables = await adminQuery("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1", [
        fresh,
      ]);
      // 10 tables of migration 1, the ledger, acp_api_tokens (4), 2 outbox tables (5), acp_tool_pins (7), 5 token
      // budget tables (8), acp_session_risk (9), acp_checkpoints (11)
      expect(tables[0]?.n).toBe(22);
    } finally {
      await dropSchema(fresh);
    }
  });

  it("a connection killed mid-transaction fails closed: no partial write, the next call works", async () => {
    await storage.transaction((tx) => tx.sessions.insert(session("k1", null)));
    const attempt = storage.transaction(async (tx) => {
      await tx.sessions.insert(session("killed-partial", null));
      await tx.events.append({ sessionId: "k1", kind: "proposal_decided", payload: {}, at: 1 });
      const terminated = await adminQuery(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE application_name = 'acp-mp-test' AND state = 'idle in transaction'`,
      );
      expect(terminated.map((r) => r.ok)).toEqual([true]);
      await tx.events.append({ sessionId: "k1", kind: "execution_completed", payload: {}, at: 2 });
    });
    await expect(attempt).rejects.toMatchObject({ code: "storage_failure" });
    await storage.read(async (tx) => {
      expect(await tx.sessions.get("killed-partial")).toBeUndefined();
      expect(await tx.events.list("k1", { limit: 10 })).toEqual([]);
      expect((await tx.sessions.get("k1"))?.lastSeq).toBe(0);
    });
    const e = await storage.transaction((tx) =>
      tx.events.append({ sessionId: "k1", kind: "proposal_decided", payload: {}, at: 3 }),
    );
    expect(e.seq).toBe(1);
  });

  it("a notice committed in process A wakes a subscriber in process B", async () => {
    const noticeId = `wake-${Date.now()}`;
    const listener = spawnWorker(WORKER, { mode: "listen", url: DATABASE_URL, schema, noticeId });
    await listener.next((m) => m.ready === true);
    const sender = spawnWorker(WORKER, { mode: "notify", url: DATABASE_URL, schema, noticeId });
    await sender.done();
    const got = await listener.done<{ received: string }>();
    expect(got.received).toBe(noticeId);
  });
});

if (!server.available) it.skip(`multi-process PostgreSQL tests: ${server.reason}`, () => {});
