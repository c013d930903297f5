import { describe, expect, it } from "vitest";
import { approverGroup } from "../../src/engines/recovery/approval-timeouts.js";
import {
  makeControlPlane,
  TEST_POLICY,
  useControlPlane,
  withSqliteCase,
} from "../support/control-plane-fixture.js";

const cases = await withSqliteCase();
const MINUTE = 60_000;

const ESCALATING = {
  ...TEST_POLICY,
  approvals: {
    timeout: "15m",
    onTimeout: "escalate",
    group: "on-call",
    escalation: [{ to: "leads", timeout: "45m" }],
  },
} as const;

describe.each(cases)("recovery and time on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase, { lockTtlMs: 10 * MINUTE, maxCycleMs: 30 * MINUTE });

  it("an executing proposal whose holder stops heartbeating becomes outcome_unknown and frees its resource", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession({ budget: { maxCost: 10 } });
    const d = await cp.propose({ sessionId: s.id, action: "write_file", resourceId: "db.json", cost: 3 });
    expect(d.outcome).toBe("allowed");
    clock.advance(10 * MINUTE - 1);
    expect(await cp.recover()).toMatchObject({ leasesReleased: 0, outcomeUnknown: 0 });
    expect(
      (await cp.propose({ sessionId: s.id, action: "write_file", resourceId: "db.json", args: { n: 2 } }))
        .code,
    ).toBe("resource_locked");
    clock.advance(1);
    expect(await cp.recover()).toMatchObject({ leasesReleased: 1, outcomeUnknown: 1 });
    expect(await cp.recover()).toMatchObject({ leasesReleased: 0, outcomeUnknown: 0 });
    expect(await cp.getProposal(d.proposalId)).toMatchObject({
      status: "outcome_unknown",
      completedAt: null,
    });
    // Never retried, never marked succeeded; the reservation stays charged.
    expect((await cp.getSession(s.id)).budget.usedCost).toBe("3");
    expect((await cp.events(s.id)).filter((e) => e.kind === "outcome_unknown")).toHaveLength(1);
    expect((await cp.listProposals({ statuses: ["outcome_unknown"] })).map((p) => p.id)).toEqual([
      d.proposalId,
    ]);
    const next = await cp.propose({
      sessionId: s.id,
      action: "write_file",
      resourceId: "db.json",
      args: { n: 3 },
    });
    expect(next.outcome).toBe("allowed");
    // A late report still records the real outcome.
    expect(await cp.complete(d.proposalId, { ok: true, cost: 2 })).toMatchObject({
      status: "succeeded",
      actualCost: "2",
    });
  });

  it("a proposal without a resource has an execution lease too", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession();
    const d = await cp.propose({ sessionId: s.id, action: "read_file" });
    clock.advance(10 * MINUTE);
    expect((await cp.recover()).outcomeUnknown).toBe(1);
    expect((await cp.getProposal(d.proposalId)).status).toBe("outcome_unknown");
  });

  it("heartbeat keeps an execution alive; it fails once the lease is gone", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession();
    const d = await cp.propose({ sessionId: s.id, action: "write_file", resourceId: "r" });
    for (let i = 0; i < 3; i++) {
      clock.advance(9 * MINUTE);
      expect((await cp.heartbeat(d.proposalId)).expiresAt).toBe(clock.now() + 10 * MINUTE);
      expect((await cp.recover()).outcomeUnknown).toBe(0);
    }
    clock.advance(10 * MINUTE);
    await expect(cp.heartbeat(d.proposalId)).rejects.toMatchObject({ code: "conflict" });
    await cp.recover();
    await expect(cp.heartbeat(d.proposalId)).rejects.toMatchObject({ code: "conflict" });
    await expect(cp.heartbeat("missing")).rejects.toMatchObject({ code: "not_found" });
    await expect(cp.heartbeat(d.proposalId, { ttlMs: -1 })).rejects.toThrow(/ttlMs/);
  });

  it("escalates along the chain exactly at each deadline, then expires", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession({ policy: ESCALATING });
    const policy = await cp.getSessionPolicy(s.id);
    const a = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "svc-a" });
    const b = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "svc-b" });
    if (a.outcome !== "pending_approval" || b.outcome !== "pending_approval")
      throw new Error("expected tickets");
    const t0 = await cp.getTicket(a.ticketId);
    expect(approverGroup(t0 as never, policy.approvals)).toBe("on-call");
    clock.advance(15 * MINUTE - 1);
    expect(await cp.recover()).toMatchObject({ escalated: 0, expired: 0 });
    clock.advance(1);
    expect(await cp.recover()).toMatchObject({ escalated: 2, expired: 0 });
    expect(await cp.recover()).toMatchObject({ escalated: 0, expired: 0 });
    const t1 = await cp.getTicket(a.ticketId);
    expect(t1).toMatchObject({
      status: "pending",
      escalationLevel: 1,
      deadlineAt: clock.now() + 45 * MINUTE,
    });
    expect(approverGroup(t1 as never, policy.approvals)).toBe("leads");
    clock.advance(20 * MINUTE);
    expect((await cp.approve(a.ticketId, { decidedBy: "lead" })).status).toBe("approved");
    clock.advance(25 * MINUTE);
    expect(await cp.recover()).toMatchObject({ escalated: 0, expired: 1 });
    expect(await cp.getProposal(b.proposalId)).toMatchObject({ status: "expired", code: "approval_expired" });
    const kinds = (await cp.events(s.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === "approval_escalated")).toHaveLength(2);
    expect(kinds.filter((k) => k === "approval_expired")).toHaveLength(1);
  });

  it("waitForDecision and approve settle a due ticket on the spot, escalation included", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession({ policy: ESCALATING });
    const d = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "svc" });
    if (d.outcome !== "pending_approval") throw new Error("expected a ticket");
    clock.advance(15 * MINUTE);
    expect(await cp.waitForDecision(d.ticketId, { timeoutMs: 0 })).toMatchObject({
      status: "pending",
      timedOut: true,
      ticket: { escalationLevel: 1 },
    });
    clock.advance(45 * MINUTE);
    await expect(cp.approve(d.ticketId, { decidedBy: "late" })).rejects.toMatchObject({
      code: "already_decided",
    });
    expect((await cp.getTicket(d.ticketId)).status).toBe("expired");
  });

  it("onTimeout: wait keeps a ticket pending however long nobody decides", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession({
      policy: { ...TEST_POLICY, approvals: { timeout: "1m", onTimeout: "wait" } },
    });
    const d = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "svc" });
    if (d.outcome !== "pending_approval") throw new Error("expected a ticket");
    clock.advance(365 * 24 * 60 * MINUTE);
    expect(await cp.recover()).toMatchObject({ expired: 0, escalated: 0 });
    expect((await cp.approve(d.ticketId, { decidedBy: "finally" })).status).toBe("approved");
  });

  it("a cycle renewed forever is released as stuck after maxCycleMs", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession();
    await cp.beginCycle(s.id, { owner: "w1", ttlMs: 10 * MINUTE });
    for (let i = 0; i < 5; i++) {
      clock.advance(5 * MINUTE);
      await cp.renewCycle(s.id, { owner: "w1", ttlMs: 10 * MINUTE });
    }
    // 25 minutes in: the renewal is capped at 30 minutes after the start.
    expect((await cp.renewCycle(s.id, { owner: "w1", ttlMs: 10 * MINUTE })).expiresAt).toBe(
      clock.now() + 5 * MINUTE,
    );
    clock.advance(5 * MINUTE);
    await expect(cp.renewCycle(s.id, { owner: "w1", ttlMs: 10 * MINUTE })).rejects.toMatchObject({
      code: "conflict",
    });
    expect((await cp.recover()).cyclesReleased).toBe(1);
    const released = (await cp.events(s.id)).filter((e) => e.kind === "cycle_released");
    expect(released).toHaveLength(1);
    await cp.beginCycle(s.id, { owner: "w2", ttlMs: MINUTE });
  });

  it("a restart resumes: pending tickets can be decided, approved proposals proceed", async () => {
    const { storage, cp } = h();
    const s = await cp.openSession();
    const pending = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "svc-1" });
    const approved = await cp.propose({
      sessionId: s.id,
      action: "send_payment",
      resourceId: "acct",
      cost: 1,
    });
    if (pending.outcome !== "pending_approval" || approved.outcome !== "pending_approval")
      throw new Error("tickets");
    await cp.approve(approved.ticketId, { decidedBy: "alice" });
    await cp.close();
    const { cp: restarted } = await makeControlPlane(storage, { lockTtlMs: 10 * MINUTE });
    try {
      expect((await restarted.getTicket(pending.ticketId)).status).toBe("pending");
      expect((await restarted.approve(pending.ticketId, { decidedBy: "bob" })).status).toBe("approved");
      const resumed = await restarted.propose({
        sessionId: s.id,
        action: "send_payment",
        resourceId: "acct",
        cost: 1,
      });
      expect(resumed).toMatchObject({
        outcome: "allowed",
        code: "approved",
        proposalId: approved.proposalId,
      });
    } finally {
      await restarted.close();
    }
  });

  it("startMaintenance runs passes on its own and stops cleanly", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession();
    const d = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "svc" });
    if (d.outcome !== "pending_approval") throw new Error("expected a ticket");
    clock.advance(15 * MINUTE);
    const reports: number[] = [];
    const handle = cp.startMaintenance({ intervalMs: 5, onReport: (r) => reports.push(r.expired) });
    // getTicket only reads: the expiry can only come from the maintenance loop.
    for (let i = 0; i < 300 && (await cp.getTicket(d.ticketId)).status === "pending"; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await handle.stop();
    expect((await cp.getTicket(d.ticketId)).status).toBe("expired");
    expect(reports.reduce((a, b) => a + b, 0)).toBe(1);
    const passes = reports.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(reports.length).toBe(passes);
    expect((await cp.events(s.id)).filter((e) => e.kind === "approval_expired")).toHaveLength(1);
    expect(() => cp.startMaintenance({ intervalMs: 0 })).toThrow(/intervalMs/);
  });
});
