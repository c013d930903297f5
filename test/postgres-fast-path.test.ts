import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, createControlPlane } from "../src/control-plane/create-control-plane.js";
import type { Decision } from "../src/control-plane/decision.js";
import { fastPathHooks } from "../src/control-plane/fast-path.js";
import { createPostgresStorage, type PostgresStorage } from "../src/storage/postgres/index.js";
import type { Storage } from "../src/storage/storage.js";
import { TEST_POLICY } from "./support/control-plane-fixture.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";

const server = await probePostgres();

/** The parts of a decision that do not depend on ids. */
const shape = (d: Decision) => ({ outcome: d.outcome, code: d.code, reason: d.reason, tier: d.tier });

describe.runIf(server.available)("PostgreSQL fast path: decide in two round trips, complete in one", () => {
  const schema = uniqueSchema("fast_path");
  let pool: pg.Pool;
  let storage: PostgresStorage;
  /** Statements sent by any client of `pool` (one per round trip: the adapter sends one query at a time). */
  let statements = 0;
  let fast: ControlPlane;
  let slow: ControlPlane;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6 });
    const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
    const counted = new WeakSet<pg.PoolClient>();
    (pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
      const client = await connect();
      if (!counted.has(client)) {
        counted.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
          statements++;
          return query(...args);
        };
      }
      return client;
    };
    storage = createPostgresStorage({ pool, schema });
    await storage.migrate();
    // The same adapter without its speculation: today's transactions, for comparison.
    const plain: Storage = { ...storage, speculation: undefined };
    fast = await createControlPlane({ storage, policy: TEST_POLICY, recoverOnStart: false });
    slow = await createControlPlane({ storage: plain, policy: TEST_POLICY, recoverOnStart: false });
  });
  afterEach(() => {
    fastPathHooks.afterSnapshot = undefined;
  });
  afterAll(async () => {
    await fast?.close();
    await slow?.close();
    await storage?.close();
    await pool?.end();
    await dropSchema(schema);
  });

  const activeSession = async (cp: ControlPlane, budget?: { maxActions?: number; maxCost?: number }) => {
    const s = await cp.openSession(budget === undefined ? {} : { budget });
    await cp.activateSession(s.id);
    return s.id;
  };
  const counting = async <T>(fn: () => Promise<T>): Promise<{ value: T; trips: number }> => {
    statements = 0;
    const value = await fn();
    return { value, trips: statements };
  };

  it("an allowed propose takes at most two round trips and its complete one; the audit chain verifies", async () => {
    expect(storage.speculation).toBeDefined();
    const sessionId = await activeSession(fast);
    for (let i = 0; i < 3; i++) {
      const propose = await counting(() =>
        fast.propose({ sessionId, action: "write_file", resourceId: `r${i}`, cost: 0.25 }),
      );
      expect(propose.value.outcome).toBe("allowed");
      expect(propose.trips).toBeLessThanOrEqual(2);
      // After the first, the context known from the last apply stands in for the snapshot read.
      if (i > 0) expect(propose.trips).toBe(1);
      const complete = await counting(() => fast.complete(propose.value.proposalId, { ok: true }));
      expect(complete.value.status).toBe("succeeded");
      expect(complete.trips).toBe(1);
    }
    const session = await fast.getSession(sessionId);
    expect(session.budget.usedCost).toBe("0.75");
    expect(session.budget.usedActions).toBe(3);
    const events = await fast.events(sessionId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.kind === "execution_completed")).toHaveLength(3);
    const report = await fast.verifyAudit();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // Same stored proposal as the normal transaction writes (ids and times aside).
    const other = await activeSession(slow);
    const a = await fast.propose({ sessionId, action: "write_file", resourceId: "same", cost: 1 });
    const b = await slow.propose({ sessionId: other, action: "write_file", resourceId: "same2", cost: 1 });
    const strip = ({
      id,
      sessionId: _s,
      resourceId,
      createdAt,
      updatedAt,
      ...rest
    }: Record<string, unknown>) => rest;
    expect(strip({ ...(await fast.getProposal(a.proposalId)) })).toEqual(
      strip({ ...(await slow.getProposal(b.proposalId)) }),
    );
  });

  it("a kill switch engaged between the snapshot and the apply denies, as the normal transaction does", async () => {
    const sessionId = await activeSession(fast);
    fastPathHooks.afterSnapshot = async () => {
      fastPathHooks.afterSnapshot = undefined;
      await slow.kill({ scope: "session", sessionId, reason: "drill" });
    };
    const { value, trips } = await counting(() =>
      fast.propose({ sessionId, action: "write_file", resourceId: "k", cost: 0.01 }),
    );
    expect(trips).toBeGreaterThan(2);
    const reference = await activeSession(slow);
    await slow.kill({ scope: "session", sessionId: reference, reason: "drill" });
    const expected = await slow.propose({ sessionId: reference, action: "write_file", resourceId: "k2" });
    expect(shape(value)).toEqual(shape(expected));
    expect(value.code).toBe("kill_switch");
    const proposals = await fast.listProposals({ sessionId });
    expect(proposals.every((p) => p.status !== "executing")).toBe(true);
  });

  it("a context known from the last apply is re-checked: a kill, a pause and a racing budget all count", async () => {
    const sessionId = await activeSession(fast, { maxActions: 3 });
    const warm = await fast.propose({ sessionId, action: "write_file", resourceId: "known-0" });
    expect(warm.outcome).toBe("allowed");
    // Another process takes the last two actions: the known context still counts one.
    await slow.propose({ sessionId, action: "write_file", resourceId: "known-1" });
    await slow.propose({ sessionId, action: "write_file", resourceId: "known-2" });
    const exhausted = await fast.propose({ sessionId, action: "write_file", resourceId: "known-3" });
    expect(exhausted.code).toBe("budget_exhausted");
    expect((await fast.getSession(sessionId)).budget.usedActions).toBe(3);

    const paused = await activeSession(fast);
    expect((await fast.propose({ sessionId: paused, action: "write_file", resourceId: "p0" })).outcome).toBe(
      "allowed",
    );
    await slow.pauseSession(paused, "maintenance");
    const denied = await fast.propose({ sessionId: paused, action: "write_file", resourceId: "p1" });
    expect(denied.code).toBe("session_not_executable");

    const killed = await activeSession(fast);
    expect((await fast.propose({ sessionId: killed, action: "write_file", resourceId: "k0" })).outcome).toBe(
      "allowed",
    );
    await slow.kill({ scope: "session", sessionId: killed, reason: "drill" });
    const stopped = await counting(() =>
      fast.propose({ sessionId: killed, action: "write_file", resourceId: "k1" }),
    );
    expect(stopped.value.code).toBe("kill_switch");
    expect(stopped.trips).toBeGreaterThan(1);
  });

  it("budget exhausted (in the snapshot, or by a racing proposal before the apply) falls back", async () => {
    const sessionId = await activeSession(fast, { maxActions: 1 });
    fastPathHooks.afterSnapshot = async () => {
      fastPathHooks.afterSnapshot = undefined;
      expect((await slow.propose({ sessionId, action: "write_file", resourceId: "racer" })).outcome).toBe(
        "allowed",
      );
    };
    const raced = await fast.propose({ sessionId, action: "write_file", resourceId: "b1" });
    const again = await fast.propose({ sessionId, action: "write_file", resourceId: "b2" });
    const reference = await activeSession(slow, { maxActions: 1 });
    await slow.propose({ sessionId: reference, action: "write_file", resourceId: "b3" });
    const expected = await slow.propose({ sessionId: reference, action: "write_file", resourceId: "b4" });
    expect(expected.code).toBe("budget_exhausted");
    expect(shape(raced)).toEqual(shape(expected));
    expect(shape(again)).toEqual(shape(expected));
    expect((await fast.getSession(sessionId)).budget.usedActions).toBe(1);
  });

  it("a held resource lock is refused like the normal transaction refuses it", async () => {
    const sessionId = await activeSession(fast);
    const first = await fast.propose({ sessionId, action: "write_file", resourceId: "shared-r" });
    expect(first.outcome).toBe("allowed");
    const { value, trips } = await counting(() =>
      fast.propose({ sessionId, action: "write_file", resourceId: "shared-r" }),
    );
    expect(trips).toBeGreaterThan(2);
    const reference = await activeSession(slow);
    await slow.propose({ sessionId: reference, action: "write_file", resourceId: "shared-s" });
    const expected = await slow.propose({
      sessionId: reference,
      action: "write_file",
      resourceId: "shared-s",
    });
    expect(value.code).toBe("resource_locked");
    // Leases are global: the reference locks another resource, named in its reason.
    expect(shape(value)).toEqual({
      ...shape(expected),
      reason: expected.reason.replace("shared-s", "shared-r"),
    });
  });

  it("a retry finds its pending predecessor and an idempotent key replays, as on the normal path", async () => {
    const sessionId = await activeSession(fast);
    const pending = await fast.propose({ sessionId, action: "deploy", resourceId: "prod" });
    expect(pending.outcome).toBe("pending_approval");
    const retried = await fast.propose({ sessionId, action: "deploy", resourceId: "prod" });
    expect(retried).toEqual(pending);

    const input = { sessionId, action: "write_file", resourceId: "idem", cost: 0.5, idempotencyKey: "k-1" };
    const first = await counting(() => fast.propose(input));
    expect(first.value.outcome).toBe("allowed");
    expect(first.trips).toBeLessThanOrEqual(2);
    const replay = await fast.propose(input);
    expect(replay).toEqual(first.value);
    await expect(fast.propose({ ...input, cost: 0.6 })).rejects.toMatchObject({
      code: "idempotency_conflict",
    });
    expect((await fast.listProposals({ sessionId })).filter((p) => p.resourceId === "idem")).toHaveLength(1);
  });

  it("a key recorded between the snapshot and the apply replays the winner's decision", async () => {
    const sessionId = await activeSession(fast);
    const input = { sessionId, action: "write_file", resourceId: "idem-race", idempotencyKey: "k-race" };
    let winner: Decision | undefined;
    fastPathHooks.afterSnapshot = async () => {
      fastPathHooks.afterSnapshot = undefined;
      winner = await slow.propose(input);
    };
    const loser = await fast.propose(input);
    expect(winner).toBeDefined();
    expect(loser).toEqual(winner);
    expect((await fast.getSession(sessionId)).budget.usedActions).toBe(1);
  });

  it("a completion the cache cannot settle in one statement takes the normal transaction", async () => {
    const sessionId = await activeSession(fast, { maxCost: 10 });
    const d = await fast.propose({ sessionId, action: "write_file", resourceId: "c1", cost: 1 });
    const { value, trips } = await counting(() => fast.complete(d.proposalId, { ok: true, cost: 0.5 }));
    expect(trips).toBeGreaterThan(1);
    expect(value).toMatchObject({ status: "succeeded", actualCost: "0.5" });
    expect((await fast.getSession(sessionId)).budget.usedCost).toBe("0.5");
    // Completed elsewhere first: the cached row no longer matches, the normal path reports the transition.
    const e = await fast.propose({ sessionId, action: "write_file", resourceId: "c2", cost: 1 });
    await slow.complete(e.proposalId, { ok: false, error: "boom" });
    await expect(fast.complete(e.proposalId, { ok: true })).rejects.toMatchObject({
      code: "invalid_transition",
    });
  });
});
