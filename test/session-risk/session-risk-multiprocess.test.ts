import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createPostgresStorage } from "../../src/storage/postgres/index.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import type { Storage } from "../../src/storage/storage.js";
import { spawnTs } from "../support/child-process.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "../support/postgres.js";
import { RISK_POLICY } from "./risk-policy.js";

const WORKER = "test/session-risk/risk-worker.ts";
const PER_WORKER = 15;

interface Decided {
  readonly action: string;
  readonly outcome: string;
  readonly riskLevel: string;
}

/** Runs one worker process to its end and returns its decisions. */
async function runWorker(
  target: Record<string, unknown>,
  sessionId: string,
  actions: readonly string[],
  startAt?: number,
) {
  const child = spawnTs(WORKER, [JSON.stringify({ ...target, sessionId, actions, startAt })]);
  expect(await child.exited).toBe(0);
  return child.lines.map((l) => JSON.parse(l) as Decided);
}

async function openSession(storage: Storage): Promise<string> {
  const cp = await createControlPlane({ storage, policy: RISK_POLICY });
  const s = await cp.openSession();
  await cp.close();
  return s.id;
}

/** The cases shared by both databases: state written by one process is read by another, races lose nothing. */
function sharedCases(target: () => Record<string, unknown>, storage: () => Storage) {
  it("one process reads the database, another sends the email: the second is escalated", async () => {
    const sessionId = await openSession(storage());
    expect(await runWorker(target(), sessionId, ["read_database"])).toEqual([
      { action: "read_database", outcome: "allowed", riskLevel: "low" },
    ]);
    expect(await runWorker(target(), sessionId, ["send_email"])).toEqual([
      { action: "send_email", outcome: "pending_approval", riskLevel: "high" },
    ]);
  });

  it(`two processes racing ${PER_WORKER} proposals each in one session: every one is counted`, async () => {
    const sessionId = await openSession(storage());
    const startAt = Date.now() + 1500;
    const actions = Array(PER_WORKER).fill("log_note");
    const [a, b] = await Promise.all([
      runWorker(target(), sessionId, actions, startAt),
      runWorker(target(), sessionId, actions, startAt),
    ]);
    expect([...a!, ...b!].every((d) => d.outcome === "allowed")).toBe(true);
    const stored = await storage().read((tx) => tx.sessionRisk.get(sessionId));
    expect(stored?.state).toMatchObject({
      actionCount: 2 * PER_WORKER,
      score: 2 * PER_WORKER,
      level: "high",
    });
    // Exactly one proposal crossed each threshold: one event per crossing, none lost or doubled.
    const cp = await createControlPlane({ storage: storage(), policy: RISK_POLICY });
    const escalations = (await cp.events(sessionId, { limit: 1000 })).filter(
      (e) => e.kind === "session_risk_escalated",
    );
    await cp.close();
    expect(escalations.length).toBe(2 * PER_WORKER - 4); // scores 5..30 are all above the action's own low
    expect(escalations.map((e) => e.payload.score)).toEqual(
      Array.from({ length: 2 * PER_WORKER - 4 }, (_, i) => i + 5),
    );
  });
}

describe("session risk on a SQLite file", () => {
  const dir = mkdtempSync(join(tmpdir(), "acp-risk-"));
  const path = join(dir, "cp.db");
  let storage: Storage;
  beforeAll(async () => {
    storage = await createSqliteStorage({ path });
  });
  afterAll(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("survives a restart: the file reopened continues the session's risk", async () => {
    const file = join(dir, "restart.db");
    let s1 = await createSqliteStorage({ path: file });
    let cp = await createControlPlane({ storage: s1, policy: RISK_POLICY });
    const session = await cp.openSession();
    expect(await cp.propose({ sessionId: session.id, action: "read_database" })).toMatchObject({
      outcome: "allowed",
    });
    await cp.close();
    await s1.close();

    s1 = await createSqliteStorage({ path: file });
    cp = await createControlPlane({ storage: s1, policy: RISK_POLICY });
    expect(await cp.propose({ sessionId: session.id, action: "send_email" })).toMatchObject({
      outcome: "pending_approval",
      riskLevel: "high",
    });
    await cp.close();
    await s1.close();
  });

  sharedCases(
    () => ({ dialect: "sqlite", path }),
    () => storage,
  );
});

const server = await probePostgres();

describe.runIf(server.available)("session risk on PostgreSQL", () => {
  const schema = uniqueSchema("session_risk");
  let storage: Storage;
  beforeAll(async () => {
    const pg = createPostgresStorage({ connectionString: DATABASE_URL, schema, poolSize: 2 });
    await pg.migrate();
    storage = pg;
  });
  afterAll(async () => {
    await storage.close();
    await dropSchema(schema);
  });

  sharedCases(
    () => ({ dialect: "postgres", url: DATABASE_URL, schema }),
    () => storage,
  );
});
