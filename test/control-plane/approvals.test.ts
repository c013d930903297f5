import { describe, expect, it } from "vitest";
import { useControlPlane, withSqliteCase } from "../support/control-plane-fixture.js";

const cases = await withSqliteCase();
const MINUTE = 60_000;

describe.each(cases)("approvals on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);

  const pending = async (sessionId: string, resourceId = "acct-1", cost = 5) => {
    const d = await h().cp.propose({
      sessionId,
      action: "send_payment",
      resourceId,
      cost,
      args: { to: resourceId },
    });
    if (d.outcome !== "pending_approval") throw new Error(`expected pending_approval, got ${d.outcome}`);
    return d;
  };

  it("opens a ticket; after approval the retry proceeds as the same proposal without a new ticket", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxCost: 100 } });
    const d = await pending(s.id);
    expect(d).toMatchObject({ code: "approval_required", tier: "always_approve" });
    expect((await cp.getSession(s.id)).budget.usedCost).toBe("0");
    // Retrying while pending returns the same ticket.
    expect(await pending(s.id)).toMatchObject({ proposalId: d.proposalId, ticketId: d.ticketId });

    const ticket = await cp.approve(d.ticketId, { decidedBy: "alice", reason: "looks fine" });
    expect(ticket).toMatchObject({ status: "approved", decidedBy: "alice", scope: { kind: "once" } });
    expect((await cp.waitForDecision(d.ticketId, { timeoutMs: 10 })).status).toBe("approved");

    const retry = await cp.propose({
      sessionId: s.id,
      action: "send_payment",
      resourceId: "acct-1",
      cost: 5,
      args: { to: "acct-1" },
    });
    expect(retry).toMatchObject({ outcome: "allowed", code: "approved", proposalId: d.proposalId });
    expect((await cp.getSession(s.id)).budget.usedCost).toBe("5");
    await cp.complete(retry.proposalId, { ok: true });
    expect(await cp.listTickets({ sessionId: s.id })).toHaveLength(1);

    // The approval was for one execution: the next identical proposal asks again.
    const again = await cp.propose({
      sessionId: s.id,
      action: "send_payment",
      resourceId: "acct-1",
      cost: 5,
      args: { to: "acct-1" },
    });
    expect(again.outcome).toBe("pending_approval");
    expect(again.proposalId).not.toBe(d.proposalId);
  });

  it("a ticket carries what the approver decides on: action, resource, agent, cost, reason, risk and tier", async () => {
    const { cp } = h();
    await cp.registerAgent({ id: "payer", capabilities: ["send_payment"] });
    const s = await cp.openSession({ agentId: "payer" });
    const d = await cp.propose({
      sessionId: s.id,
      agentId: "payer",
      action: "send_payment",
      resourceType: "account",
      resourceId: "acct-9",
      cost: "12.345678",
    });
    if (d.outcome !== "pending_approval") throw new Error(`expected pending_approval, got ${d.outcome}`);
    const request = {
      action: "send_payment",
      agentId: "payer",
      resourceType: "account",
      resourceId: "acct-9",
      cost: "12.345678",
      reason: d.reason,
      riskLevel: d.riskLevel,
      tier: "always_approve",
    };
    expect(request.reason).toMatch(/approv/);
    expect((await cp.getTicket(d.ticketId)).request).toEqual(request);
    expect((await cp.listTickets({ sessionId: s.id }))[0]?.request).toEqual(request);
    const approved = await cp.approve(d.ticketId, { decidedBy: "alice", reason: "paid before" });
    expect(approved.request).toEqual(request);
    expect(approved.reason).toBe("paid before");
    expect((await cp.getTicket(d.ticketId)).request).toEqual(request);
  });

  it("a pending proposal locks its resource until decided", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const d = await pending(s.id, "acct-9");
    const other = await cp.propose({ sessionId: s.id, action: "write_file", resourceId: "acct-9" });
    expect(other).toMatchObject({ outcome: "denied", code: "resource_locked" });
    await cp.deny(d.ticketId, { decidedBy: "bob", reason: "no" });
    expect((await cp.propose({ sessionId: s.id, action: "write_file", resourceId: "acct-9" })).outcome).toBe(
      "allowed",
    );
  });

  it("a denial denies the proposal; a ticket is decided at most once", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const d = await pending(s.id);
    const waiting = cp.waitForDecision(d.ticketId, { timeoutMs: 5_000 });
    await cp.deny(d.ticketId, { decidedBy: "bob", reason: "too much" });
    expect(await waiting).toMatchObject({
      status: "denied",
      timedOut: false,
      ticket: { reason: "too much" },
    });
    expect(await cp.getProposal(d.proposalId)).toMatchObject({ status: "denied", code: "approval_denied" });
    await expect(cp.approve(d.ticketId, { decidedBy: "alice" })).rejects.toMatchObject({
      code: "already_decided",
    });
    await expect(cp.deny(d.ticketId, { decidedBy: "alice" })).rejects.toMatchObject({
      code: "already_decided",
    });
    await expect(cp.approve("nope", { decidedBy: "alice" })).rejects.toMatchObject({ code: "not_found" });
    await expect(cp.approve(d.ticketId, { decidedBy: "" })).rejects.toThrow(/decidedBy/);
  });

  it("an allow-for-session scope waives the human for matching proposals until its uses run out", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const d = await pending(s.id, "acct-1", 5);
    await cp.approve(d.ticketId, {
      decidedBy: "alice",
      scope: { kind: "session", resourceIds: ["acct-1", "acct-2"], maxCostPerAction: 10, maxUses: 2 },
    });
    // The retry of the approved proposal itself is allowed (and is not a use of the scope).
    const claimed = await cp.propose({
      sessionId: s.id,
      action: "send_payment",
      resourceId: "acct-1",
      cost: 5,
      args: { to: "acct-1" },
    });
    expect(claimed).toMatchObject({ outcome: "allowed", code: "approved", proposalId: d.proposalId });
    await cp.complete(claimed.proposalId, { ok: true });
    const first = await cp.propose({
      sessionId: s.id,
      action: "send_payment",
      resourceId: "acct-2",
      cost: 10,
    });
    expect(first).toMatchObject({ outcome: "allowed", code: "approval_scope" });
    // Outside the scope: another resource, a higher cost, another action.
    expect(
      (await cp.propose({ sessionId: s.id, action: "send_payment", resourceId: "acct-3", cost: 1 })).outcome,
    ).toBe("pending_approval");
    expect(
      (
        await cp.propose({
          sessionId: s.id,
          action: "send_payment",
          resourceId: "acct-2",
          cost: 10.5,
          args: { n: 1 },
        })
      ).code,
    ).not.toBe("approval_scope");
    expect(
      (await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "acct-1", args: { n: 2 } })).outcome,
    ).toBe("pending_approval");
    await cp.complete(first.proposalId, { ok: true });
    const second = await cp.propose({
      sessionId: s.id,
      action: "send_payment",
      resourceId: "acct-2",
      cost: 1,
      args: { n: 3 },
    });
    expect(second).toMatchObject({ outcome: "allowed", code: "approval_scope" });
    await cp.complete(second.proposalId, { ok: true });
    const third = await cp.propose({
      sessionId: s.id,
      action: "send_payment",
      resourceId: "acct-2",
      cost: 1,
      args: { n: 4 },
    });
    expect(third.outcome).toBe("pending_approval");
    const tickets = await cp.listTickets({ sessionId: s.id, statuses: ["approved"] });
    expect(tickets[0]?.scope).toMatchObject({ maxUses: 2, remainingUses: 0, maxCostPerAction: "10" });
  });

  it("a scope unit is used only by an action that is really allowed", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxCost: 20 } });
    const d = await pending(s.id, "acct-1", 5);
    await cp.approve(d.ticketId, { decidedBy: "alice", scope: { kind: "session", maxUses: 1 } });
    // The approved proposal itself holds acct-1 once it runs: a scoped proposal on it is refused as locked.
    const running = await cp.propose({
      sessionId: s.id,
      action: "send_payment",
      resourceId: "acct-1",
      cost: 5,
      args: { to: "acct-1" },
    });
    expect(running.code).toBe("approved");
    expect(
      (await cp.propose({ sessionId: s.id, action: "send_payment", resourceId: "acct-1", cost: 1 })).code,
    ).toBe("resource_locked");
    // Over budget (5 used + 16 > 20): refused without touching the scope or asking a human.
    expect(
      (await cp.propose({ sessionId: s.id, action: "send_payment", resourceId: "acct-2", cost: 16 })).code,
    ).toBe("budget_exhausted");
    const [approved] = await cp.listTickets({ sessionId: s.id, statuses: ["approved"] });
    expect(approved?.scope).toMatchObject({ maxUses: 1, remainingUses: 1 });
    expect(await cp.listTickets({ sessionId: s.id, statuses: ["pending"] })).toEqual([]);
    expect(
      (await cp.propose({ sessionId: s.id, action: "send_payment", resourceId: "acct-2", cost: 15 })).code,
    ).toBe("approval_scope");
    expect((await cp.getSession(s.id)).budget).toMatchObject({ usedCost: "20", usedActions: 2 });
  });

  it("a ticket gives back the budget reservation: a pending action uses no budget", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxCost: 10, maxActions: 5 } });
    await pending(s.id, "acct-1", 7);
    expect((await cp.getSession(s.id)).budget).toMatchObject({ usedCost: "0", usedActions: 0 });
    // A proposal without a resource takes no hold while it waits.
    const noResource = await cp.propose({ sessionId: s.id, action: "deploy" });
    expect(noResource.outcome).toBe("pending_approval");
    expect((await cp.propose({ sessionId: s.id, action: "read_file", cost: 3 })).outcome).toBe("allowed");
  });

  it("a session scope expires", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession();
    const d = await pending(s.id);
    await cp.approve(d.ticketId, { decidedBy: "alice", scope: { kind: "session", ttlMs: 5 * MINUTE } });
    clock.advance(5 * MINUTE - 1);
    const inside = await cp.propose({
      sessionId: s.id,
      action: "send_payment",
      resourceId: "acct-7",
      cost: 1,
    });
    expect(inside.code).toBe("approval_scope");
    await cp.complete(inside.proposalId, { ok: true });
    clock.advance(1);
    expect(
      (await cp.propose({ sessionId: s.id, action: "send_payment", resourceId: "acct-7", cost: 1 })).outcome,
    ).toBe("pending_approval");
  });

  it("rejects a bad scope naming the field, and leaves the ticket pending", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const d = await pending(s.id);
    await expect(
      cp.approve(d.ticketId, {
        decidedBy: "alice",
        scope: { kind: "session", maxUses: 0, maxCostPerAction: -1 },
      }),
    ).rejects.toThrow(
      /scope.maxCostPerAction[\s\S]*scope.maxUses|scope.maxUses[\s\S]*scope.maxCostPerAction/,
    );
    expect((await cp.getTicket(d.ticketId)).status).toBe("pending");
  });

  it("expires a ticket exactly at its deadline and reports it as expired, not denied by a person", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession();
    const d = await pending(s.id);
    const ticket = await cp.getTicket(d.ticketId);
    expect(ticket.deadlineAt - ticket.createdAt).toBe(15 * MINUTE);
    clock.advance(15 * MINUTE - 1);
    expect(await cp.expireTickets()).toBe(0);
    expect((await cp.waitForDecision(d.ticketId, { timeoutMs: 0 })).timedOut).toBe(true);
    clock.advance(1);
    expect(await cp.expireTickets()).toBe(1);
    expect(await cp.expireTickets()).toBe(0);
    const result = await cp.waitForDecision(d.ticketId, { timeoutMs: 10 });
    expect(result).toMatchObject({ status: "expired", ticket: { decidedBy: null } });
    expect(await cp.getProposal(d.proposalId)).toMatchObject({ status: "expired", code: "approval_expired" });
    const kinds = (await cp.events(s.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === "approval_expired")).toHaveLength(1);
    expect(kinds).not.toContain("approval_denied");
  });

  it("approving after the deadline expires the ticket instead", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession();
    const d = await pending(s.id);
    clock.advance(15 * MINUTE);
    await expect(cp.approve(d.ticketId, { decidedBy: "alice" })).rejects.toMatchObject({
      code: "already_decided",
    });
    expect((await cp.getTicket(d.ticketId)).status).toBe("expired");
  });

  it("waitForDecision times out with the ticket still pending, and honours an abort signal", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const d = await pending(s.id);
    expect(await cp.waitForDecision(d.ticketId, { timeoutMs: 20 })).toMatchObject({
      status: "pending",
      timedOut: true,
    });
    const controller = new AbortController();
    const waiting = cp.waitForDecision(d.ticketId, { timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: "aborted" });
    await expect(cp.waitForDecision("nope", { timeoutMs: 1 })).rejects.toMatchObject({ code: "not_found" });
  });

  it("does not ask a human for an action the budget cannot cover", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxCost: 4 } });
    expect(
      await cp.propose({ sessionId: s.id, action: "send_payment", resourceId: "a", cost: 5 }),
    ).toMatchObject({
      outcome: "denied",
      code: "budget_exhausted",
    });
    expect(await cp.listTickets({ sessionId: s.id })).toEqual([]);
  });

  it("approve and deny are idempotent by key", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const d = await pending(s.id);
    const a = await cp.approve(d.ticketId, { decidedBy: "alice", idempotencyKey: "approve-1" });
    const b = await cp.approve(d.ticketId, { decidedBy: "alice", idempotencyKey: "approve-1" });
    expect(b).toEqual(a);
    const grants = (await cp.events(s.id)).filter((e) => e.kind === "approval_granted");
    expect(grants).toHaveLength(1);
  });
});
