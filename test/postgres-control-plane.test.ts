import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, createControlPlane } from "../src/control-plane/create-control-plane.js";
import type { Decision } from "../src/control-plane/decision.js";
import type { WaitResult } from "../src/control-plane/wait-for-decision.js";
import { createPostgresStorage, type PostgresStorage } from "../src/storage/postgres/index.js";
import { type CommandWorker, startCommandWorker } from "./support/command-worker.js";
import { TEST_POLICY } from "./support/control-plane-fixture.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";
import { spawnWorker } from "./support/spawn-worker.js";

const server = await probePostgres();

describe.runIf(server.available)("control plane on PostgreSQL across processes", () => {
  const schema = uniqueSchema("facade");
  let storage: PostgresStorage;
  beforeAll(async () => {
    storage = createPostgresStorage({ connectionString: DATABASE_URL, schema });
    await storage.migrate();
  });
  afterAll(async () => {
    await storage.close();
    await dropSchema(schema);
  });

  it("8 processes × 500 propose calls on shared sessions ⇒ exactly the budget allowed, gap-free seqs", async () => {
    const cp = await createControlPlane({ storage, policy: TEST_POLICY });
    const budget = 300;
    const sessions: string[] = [];
    for (let i = 0; i < 4; i++) {
      const opened = await cp.openSession({ budget: { maxActions: budget } });
      // Activated up front: the facade's implicit created → active step does not yet tolerate losing that race.
      await cp.activateSession(opened.id);
      sessions.push(opened.id);
    }
    const startAt = Date.now() + 3000;
    const workers = Array.from({ length: 8 }, (_, worker) =>
      spawnWorker("test/fixtures/postgres-facade-worker.ts", {
        url: DATABASE_URL,
        schema,
        worker,
        count: 500,
        sessions,
        startAt,
      }),
    );
    const results = await Promise.all(
      workers.map((w) => w.done<{ decisions: { sessionId: string; outcome: string; code: string }[] }>()),
    );
    const decisions = results.flatMap((r) => r.decisions);
    expect(decisions).toHaveLength(4000);
    for (const id of sessions) {
      const mine = decisions.filter((d) => d.sessionId === id);
      expect(mine.filter((d) => d.outcome === "allowed")).toHaveLength(budget);
      expect(mine.filter((d) => d.outcome !== "allowed").every((d) => d.code === "budget_exhausted")).toBe(
        true,
      );
      const events = await storage.read((tx) => tx.events.list(id, { limit: 100_000 }));
      expect(events.length).toBeGreaterThan(mine.length);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    }
    await cp.close();
  });

  describe("with a long-running control plane in another process (B)", () => {
    let a: ControlPlane;
    let b: CommandWorker;
    beforeAll(async () => {
      a = await createControlPlane({ storage, policy: TEST_POLICY });
      // B polls only every 2 minutes (longer than a test may run): only a cross-process notice wakes it in time.
      b = await startCommandWorker({
        storage: { kind: "postgres", url: DATABASE_URL, schema },
        pollIntervalMs: 120_000,
      });
    });
    afterAll(async () => {
      await b?.stop();
      await a?.close();
    });

    it("a kill switch engaged in process A denies the very next proposal in process B", async () => {
      const session = await a.openSession({ budget: { maxActions: 100 } });
      const proposeInB = (agentId: string, resourceId: string) =>
        b.call<Decision>("propose", { sessionId: session.id, agentId, action: "read_file", resourceId });

      const before = await proposeInB("agent-b", "r1");
      expect(before.outcome).toBe("allowed");
      await b.call("complete", before.proposalId, { ok: true });

      // Agent scope: B's next proposal as that agent is denied; the session itself stays usable.
      await a.kill({ scope: "agent", agentId: "agent-b", reason: "runaway agent" });
      const killed = await proposeInB("agent-b", "r2");
      expect(killed).toMatchObject({ outcome: "denied", code: "kill_switch" });
      expect(killed.reason).toContain("runaway agent");
      expect((await proposeInB("agent-c", "r3")).outcome).toBe("allowed");
      await a.resume({ scope: "agent", agentId: "agent-b" });
      expect((await proposeInB("agent-b", "r4")).outcome).toBe("allowed");

      // Global scope: a session opened after the switch was engaged (so not swept) is refused in B too.
      await a.kill({ scope: "global", reason: "halt everything" });
      const fresh = await a.openSession();
      const global = await b.call<Decision>("propose", {
        sessionId: fresh.id,
        action: "read_file",
        resourceId: "g1",
      });
      expect(global).toMatchObject({ outcome: "denied", code: "kill_switch" });
      await a.resume({ scope: "global" });
      const after = await b.call<Decision>("propose", {
        sessionId: fresh.id,
        action: "read_file",
        resourceId: "g2",
      });
      expect(after.outcome).toBe("allowed");
      // B's decisions are in the shared log, in order.
      const seqs = (await a.events(session.id)).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    });

    it("approve / deny / kill in process A wakes waitForDecision in process B (LISTEN/NOTIFY)", async () => {
      const session = await a.openSession({ budget: { maxActions: 100 } });
      const ticketFor = async (resourceId: string) => {
        const d = await a.propose({ sessionId: session.id, action: "send_payment", resourceId });
        expect(d.outcome).toBe("pending_approval");
        return (d as Decision & { ticketId: string }).ticketId;
      };
      let subscriptions = 0;
      // B starts waiting (2-minute timeout and poll interval); A decides once B's subscription is live.
      const decideWhileBWaits = async (ticketId: string, decide: () => Promise<unknown>) => {
        const waiting = b.send<WaitResult>("waitForDecision", ticketId, { timeoutMs: 120_000 });
        await b.subscribed(++subscriptions);
        await decide();
        const reply = await waiting;
        expect(reply.ok).toBe(true);
        expect(reply.notices).toBeGreaterThanOrEqual(1);
        expect(reply.result.timedOut).toBe(false);
        return reply.result;
      };

      const approvedTicket = await ticketFor("pay-1");
      const approved = await decideWhileBWaits(approvedTicket, () =>
        a.approve(approvedTicket, { decidedBy: "alice" }),
      );
      expect(approved.status).toBe("approved");
      expect(approved.ticket.decidedBy).toBe("alice");

      const deniedTicket = await ticketFor("pay-2");
      const denied = await decideWhileBWaits(deniedTicket, () =>
        a.deny(deniedTicket, { decidedBy: "bob", reason: "no" }),
      );
      expect(denied.status).toBe("denied");

      const sweptTicket = await ticketFor("pay-3");
      const swept = await decideWhileBWaits(sweptTicket, () =>
        a.kill({ scope: "session", sessionId: session.id, reason: "stop" }),
      );
      expect(swept.status).toBe("denied");
      expect(swept.ticket.decidedBy).toBe("kill_switch");
    }, 30_000);
  });

  it("propose / complete inside the host's transaction commit or roll back with its business write", async () => {
    const cp = await createControlPlane({ storage, policy: TEST_POLICY });
    const session = await cp.openSession({ budget: { maxActions: 10, maxCost: 100 } });
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      await client.query(`CREATE TABLE "${schema}".orders (id text PRIMARY KEY, amount int NOT NULL)`);
      const orders = async () =>
        (await client.query(`SELECT id FROM "${schema}".orders ORDER BY id`)).rows.map((r) => r.id as string);
      const governedOrder = async (orderId: string, end: "COMMIT" | "ROLLBACK") => {
        await client.query("BEGIN");
        await client.query(`INSERT INTO "${schema}".orders (id, amount) VALUES ($1, 7)`, [orderId]);
        const d = await cp.propose(
          { sessionId: session.id, action: "write_file", resourceId: orderId, cost: 7 },
          { transaction: client },
        );
        expect(d.outcome).toBe("allowed");
        const done = await cp.complete(d.proposalId, { ok: true, cost: 6 }, { transaction: client });
        expect(done.status).toBe("succeeded");
        await client.query(end);
        return d.proposalId;
      };

      const eventsBefore = await cp.events(session.id);
      const rolledBack = await governedOrder("order-1", "ROLLBACK");
      expect(await orders()).toEqual([]);
      await expect(cp.getProposal(rolledBack)).rejects.toMatchObject({ code: "not_found" });
      expect(await cp.events(session.id)).toEqual(eventsBefore);
      expect(await cp.listProposals({ sessionId: session.id })).toEqual([]);
      const untouched = await cp.getSession(session.id);
      expect(untouched.budget).toMatchObject({ usedActions: 0, usedCost: "0" });
      // No lock is left behind: the same resource can be taken again.
      const kept = await governedOrder("order-1", "COMMIT");
      expect(await orders()).toEqual(["order-1"]);
      const proposal = await cp.getProposal(kept);
      expect(proposal).toMatchObject({ status: "succeeded", actualCost: "6" });
      const kinds = (await cp.events(session.id)).filter((e) => e.proposalId === kept).map((e) => e.kind);
      expect(kinds).toContain("proposal_decided");
      expect(kinds).toContain("execution_completed");
      expect((await cp.getSession(session.id)).budget).toMatchObject({ usedActions: 1, usedCost: "6" });
    } finally {
      await client.end();
      await cp.close();
    }
  });
});

if (!server.available) it.skip(`facade on PostgreSQL: ${server.reason}`, () => {});
