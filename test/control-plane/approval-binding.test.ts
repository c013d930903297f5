import { describe, expect, it } from "vitest";
import { useControlPlane } from "../support/control-plane-fixture.js";
import { withAllStorageCases } from "../support/postgres-case.js";

const cases = await withAllStorageCases();

describe.each(cases)("an approval covers exactly what was approved, on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);
  const payment = (sessionId: string, cost: number | string, memo: string, extra: object = {}) => ({
    sessionId,
    action: "send_payment",
    resourceId: "acct-1",
    cost,
    args: { to: "acct-1", currency: "EUR" },
    metadata: { memo },
    ...extra,
  });

  it("a retry with another cost and metadata is a new proposal: budget and human are not bypassed", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxCost: 100 } });
    // No resource: nothing is locked, so only the approval decides what happens to a changed retry.
    const noResource = { resourceId: undefined };
    const asked = await cp.propose(payment(s.id, 40, "rent", noResource));
    if (asked.outcome !== "pending_approval") throw new Error(`expected a ticket, got ${asked.outcome}`);
    await cp.approve(asked.ticketId, { decidedBy: "alice" });

    const bigger = await cp.propose(payment(s.id, 4000, "bonus", noResource));
    expect(bigger.proposalId).not.toBe(asked.proposalId);
    expect(bigger).toMatchObject({ outcome: "denied", code: "budget_exhausted" });

    // Same cost, other metadata: a new proposal that needs its own human decision.
    const otherMemo = await cp.propose(payment(s.id, 40, "bonus", noResource));
    expect(otherMemo.proposalId).not.toBe(asked.proposalId);
    expect(otherMemo.outcome).toBe("pending_approval");

    // The approval still covers the identical proposal (the cost spelled differently), once.
    const same = await cp.propose(payment(s.id, "40.000", "rent", noResource));
    expect(same).toMatchObject({ outcome: "allowed", code: "approved", proposalId: asked.proposalId });
    expect((await cp.getSession(s.id)).budget.usedCost).toBe("40");
    expect((await cp.getProposal(asked.proposalId)).cost).toBe("40");
  });

  it("a changed retry on the approved resource is denied: the approved proposal keeps the resource", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxCost: 100 } });
    const asked = await cp.propose(payment(s.id, 40, "rent"));
    if (asked.outcome !== "pending_approval") throw new Error(`expected a ticket, got ${asked.outcome}`);
    await cp.approve(asked.ticketId, { decidedBy: "alice" });
    const bigger = await cp.propose(payment(s.id, 4000, "bonus"));
    expect(bigger).toMatchObject({ outcome: "denied", code: "resource_locked" });
    expect(bigger.proposalId).not.toBe(asked.proposalId);
    expect((await cp.getSession(s.id)).budget.usedCost).toBe("0");
  });

  it("the identical retry of an approval the budget no longer covers is denied, once, and frees its resource", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxCost: 50 } });
    const asked = await cp.propose(payment(s.id, 40, "rent"));
    if (asked.outcome !== "pending_approval") throw new Error(`expected a ticket, got ${asked.outcome}`);
    await cp.approve(asked.ticketId, { decidedBy: "alice" });
    const spent = await cp.propose({ sessionId: s.id, action: "log_note", cost: 20 });
    expect(spent.outcome).toBe("allowed");
    const retry = await cp.propose(payment(s.id, 40, "rent"));
    expect(retry).toMatchObject({
      outcome: "denied",
      code: "budget_exhausted",
      proposalId: asked.proposalId,
    });
    expect(await cp.getProposal(asked.proposalId)).toMatchObject({ status: "denied", reservedCost: "0" });
    expect((await cp.getSession(s.id)).budget.usedCost).toBe("20");
    const decided = (await cp.events(s.id)).filter(
      (e) => e.kind === "proposal_decided" && e.proposalId === asked.proposalId,
    );
    expect(decided.map((e) => e.payload.outcome)).toEqual(["pending_approval", "denied"]);
    expect((await cp.propose({ sessionId: s.id, action: "write_file", resourceId: "acct-1" })).outcome).toBe(
      "allowed",
    );
  });

  it("each field of the proposal is part of what was approved", async () => {
    const { cp } = h();
    const s = await cp.openSession({ agentId: "agent-a" });
    const asked = await cp.propose(payment(s.id, 40, "rent"));
    if (asked.outcome !== "pending_approval") throw new Error(`expected a ticket, got ${asked.outcome}`);
    await cp.approve(asked.ticketId, { decidedBy: "alice" });
    const variants = [
      payment(s.id, 40.5, "rent"),
      payment(s.id, 40, "rent", { args: { to: "acct-1", currency: "USD" } }),
      payment(s.id, 40, "rent", { resourceType: "iban" }),
      payment(s.id, 40, "rent", { resourceId: "acct-2", args: { to: "acct-1", currency: "EUR" } }),
      payment(s.id, 40, "rent", { action: "deploy" }),
      payment(s.id, 40, "rent", { agentId: "agent-b" }),
      payment(s.id, 40, "rent", { metadata: { memo: "rent", extra: true } }),
    ];
    for (const variant of variants) {
      const d = await cp.propose(variant);
      expect(d.proposalId, JSON.stringify(variant)).not.toBe(asked.proposalId);
      expect(d.outcome, JSON.stringify(variant)).not.toBe("allowed");
    }
    expect((await cp.getProposal(asked.proposalId)).status).toBe("approved");
    const same = await cp.propose(payment(s.id, 40, "rent"));
    expect(same).toMatchObject({ outcome: "allowed", proposalId: asked.proposalId });
  });

  it("a retry of a pending proposal with another cost opens its own ticket", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const noResource = { resourceId: undefined };
    const asked = await cp.propose(payment(s.id, 40, "rent", noResource));
    const again = await cp.propose(payment(s.id, 40, "rent", noResource));
    expect(again).toMatchObject({ outcome: "pending_approval", proposalId: asked.proposalId });
    const other = await cp.propose(payment(s.id, 41, "rent", noResource));
    expect(other.outcome).toBe("pending_approval");
    expect(other.proposalId).not.toBe(asked.proposalId);
    expect(await cp.listTickets({ sessionId: s.id })).toHaveLength(2);
  });
});
