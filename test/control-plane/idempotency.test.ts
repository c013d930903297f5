import { describe, expect, it } from "vitest";
import type { ControlPlane } from "../../src/control-plane/create-control-plane.js";
import { useControlPlane } from "../support/control-plane-fixture.js";
import { withAllStorageCases } from "../support/postgres-case.js";

const cases = await withAllStorageCases();

/** Expects `call` to be refused as a reuse of `key` for a different request of `operation`. */
async function expectConflict(call: Promise<unknown>, key: string, operation: string): Promise<void> {
  await expect(call).rejects.toMatchObject({
    name: "ControlPlaneError",
    code: "idempotency_conflict",
    message: expect.stringMatching(/different request/),
    details: expect.objectContaining({ key, operation }),
  });
}

describe.each(cases)("idempotency keys are bound to their request, on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);

  const ticketOf = async (cp: ControlPlane, sessionId: string, resourceId: string) => {
    const d = await cp.propose({ sessionId, action: "send_payment", resourceId, cost: 1 });
    if (d.outcome !== "pending_approval") throw new Error(`expected a ticket, got ${d.outcome}`);
    return d.ticketId;
  };

  it("propose: the same key for another action or cost is a conflict, never the first decision", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxActions: 10 } });
    const first = await cp.propose({ sessionId: s.id, action: "read_file", cost: 1, idempotencyKey: "p1" });
    expect(first.outcome).toBe("allowed");
    await expectConflict(
      cp.propose({ sessionId: s.id, action: "delete_database", cost: 1, idempotencyKey: "p1" }),
      "p1",
      "propose",
    );
    await expectConflict(
      cp.propose({ sessionId: s.id, action: "read_file", cost: 2, idempotencyKey: "p1" }),
      "p1",
      "propose",
    );
    await expectConflict(
      cp.propose({ sessionId: s.id, action: "read_file", cost: 1, metadata: { a: 1 }, idempotencyKey: "p1" }),
      "p1",
      "propose",
    );
    // The same request (the cost spelled differently) replays the one decision.
    const again = await cp.propose({
      sessionId: s.id,
      action: " READ_FILE ",
      cost: "1.0",
      idempotencyKey: "p1",
    });
    expect(again).toEqual(first);
    expect(await cp.listProposals({ sessionId: s.id })).toHaveLength(1);
    expect((await cp.getSession(s.id)).budget.usedActions).toBe(1);
  });

  it("approve / deny: the same key for another ticket or another decision is a conflict", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const t1 = await ticketOf(cp, s.id, "a");
    const t2 = await ticketOf(cp, s.id, "b");
    const approved = await cp.approve(t1, { decidedBy: "alice", idempotencyKey: "d1" });
    await expectConflict(cp.approve(t2, { decidedBy: "alice", idempotencyKey: "d1" }), "d1", "approve");
    await expectConflict(
      cp.approve(t1, { decidedBy: "alice", reason: "other", idempotencyKey: "d1" }),
      "d1",
      "approve",
    );
    expect((await cp.getTicket(t2)).status).toBe("pending");
    expect(await cp.approve(t1, { decidedBy: "alice", idempotencyKey: "d1" })).toEqual(approved);
    await cp.deny(t2, { decidedBy: "bob", idempotencyKey: "d2" });
    await expectConflict(cp.deny(t1, { decidedBy: "bob", idempotencyKey: "d2" }), "d2", "deny");
  });

  it("kill / resume: the same key for another target or reason is a conflict", async () => {
    const { cp } = h();
    const a = await cp.openSession();
    const b = await cp.openSession();
    await cp.kill({ scope: "session", sessionId: a.id, reason: "drill", idempotencyKey: "k1" });
    await expectConflict(
      cp.kill({ scope: "session", sessionId: b.id, reason: "drill", idempotencyKey: "k1" }),
      "k1",
      "kill",
    );
    await expectConflict(cp.kill({ scope: "global", reason: "drill", idempotencyKey: "k1" }), "k1", "kill");
    expect((await cp.getSession(b.id)).status).toBe("created");
    expect(await cp.listKillSwitches({ engagedOnly: true })).toHaveLength(1);
    await cp.resume({ scope: "session", sessionId: a.id, idempotencyKey: "r1" });
    await expectConflict(cp.resume({ scope: "global", idempotencyKey: "r1" }), "r1", "resume");
  });

  it("sessions: the same key for another budget or another session is a conflict", async () => {
    const { cp } = h();
    const a = await cp.openSession({ budget: { maxCost: 5 }, idempotencyKey: "o1" });
    await expectConflict(
      cp.openSession({ budget: { maxCost: 6 }, idempotencyKey: "o1" }),
      "o1",
      "openSession",
    );
    expect(await cp.openSession({ budget: { maxCost: "5.0" }, idempotencyKey: "o1" })).toEqual(a);
    const b = await cp.openSession();
    await cp.activateSession(a.id);
    await cp.activateSession(b.id);
    await cp.pauseSession(a.id, "break", { idempotencyKey: "c1" });
    await expectConflict(cp.pauseSession(b.id, "break", { idempotencyKey: "c1" }), "c1", "session.pause");
    await expectConflict(cp.pauseSession(a.id, "other", { idempotencyKey: "c1" }), "c1", "session.pause");
    expect((await cp.getSession(b.id)).status).toBe("active");
    expect(await cp.listSessions()).toHaveLength(2);
  });

  it("complete, registerAgent, recordDelegation: another input under the same key is a conflict", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession();
    const p1 = await cp.propose({ sessionId: s.id, action: "read_file", resourceId: "x" });
    const p2 = await cp.propose({ sessionId: s.id, action: "read_file", resourceId: "y" });
    const done = await cp.complete(p1.proposalId, { ok: true, output: { n: 1 }, idempotencyKey: "e1" });
    await expectConflict(
      cp.complete(p2.proposalId, { ok: true, output: { n: 1 }, idempotencyKey: "e1" }),
      "e1",
      "complete",
    );
    await expectConflict(
      cp.complete(p1.proposalId, { ok: true, output: { n: 2 }, idempotencyKey: "e1" }),
      "e1",
      "complete",
    );
    expect(await cp.complete(p1.proposalId, { ok: true, output: { n: 1 }, idempotencyKey: "e1" })).toEqual(
      done,
    );
    expect((await cp.getProposal(p2.proposalId)).status).toBe("executing");

    const agent = await cp.registerAgent({ id: "bot", capabilities: ["read_file"], idempotencyKey: "g1" });
    clock.advance(1000);
    expect(await cp.registerAgent({ id: "bot", capabilities: ["read_file"], idempotencyKey: "g1" })).toEqual(
      agent,
    );
    await expectConflict(
      cp.registerAgent({ id: "bot", capabilities: ["read_file", "deploy"], idempotencyKey: "g1" }),
      "g1",
      "registerAgent",
    );
    expect((await cp.getAgent("bot")).capabilities).toEqual(["read_file"]);
    await cp.registerAgent({ id: "helper" });
    await cp.recordDelegation({ fromAgentId: "bot", toAgentId: "helper", task: "t", idempotencyKey: "l1" });
    await expectConflict(
      cp.recordDelegation({ fromAgentId: "bot", toAgentId: "helper", task: "other", idempotencyKey: "l1" }),
      "l1",
      "recordDelegation",
    );
  });
});
