import { describe, expect, it } from "vitest";
import { makeControlPlane, useControlPlane, withSqliteCase } from "../support/control-plane-fixture.js";

const cases = await withSqliteCase();

describe.each(cases)("propose on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);

  it("allows an auto-approved action, reserves budget, and complete() reconciles the actual cost", async () => {
    const { cp } = h();
    const s = await cp.openSession({ name: "run", budget: { maxCost: "10", maxActions: 5 } });
    expect(s.status).toBe("created");
    const d = await cp.propose({ sessionId: s.id, action: " Read_File ", resourceId: "a.txt", cost: 2.5 });
    expect(d).toMatchObject({
      outcome: "allowed",
      code: "auto_approved",
      tier: "auto_approve",
      riskLevel: "low",
    });
    expect(d.trace.map((t) => t.step)).toContain("budget");
    let view = await cp.getSession(s.id);
    expect(view.status).toBe("active");
    expect(view.budget).toMatchObject({
      usedCost: "2.5",
      usedActions: 1,
      remainingCost: "7.5",
      remainingActions: 4,
    });

    const done = await cp.complete(d.proposalId, { ok: true, cost: "1.25", output: { bytes: 12 } });
    expect(done).toMatchObject({ status: "succeeded", actualCost: "1.25", output: { bytes: 12 } });
    view = await cp.getSession(s.id);
    expect(view.budget.usedCost).toBe("1.25");

    const kinds = (await cp.events(s.id)).map((e) => [e.seq, e.kind]);
    expect(kinds).toEqual([
      [1, "session_opened"],
      [2, "session_activated"],
      [3, "proposal_decided"],
      [4, "execution_completed"],
    ]);
  });

  it("adds money exactly: ten proposals of 0.1 use exactly 1", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxCost: 1 } });
    for (let i = 0; i < 10; i++) {
      const d = await cp.propose({ sessionId: s.id, action: "read_file", cost: 0.1 });
      expect(d.outcome).toBe("allowed");
      await cp.complete(d.proposalId, { ok: true });
    }
    expect((await cp.getSession(s.id)).budget.usedCost).toBe("1");
    const over = await cp.propose({ sessionId: s.id, action: "read_file", cost: "0.000001" });
    expect(over).toMatchObject({ outcome: "denied", code: "budget_exhausted" });
  });

  it("denies blocked and unlisted actions, matching names exactly", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    expect(await cp.propose({ sessionId: s.id, action: "DELETE_DATABASE" })).toMatchObject({
      outcome: "denied",
      code: "blocked_action",
      tier: "blocked",
    });
    expect(await cp.propose({ sessionId: s.id, action: "delete_database_backup" })).toMatchObject({
      outcome: "denied",
      code: "unlisted_action",
    });
    const stored = await cp.listProposals({ sessionId: s.id });
    expect(stored.map((p) => p.status)).toEqual(["denied", "denied"]);
  });

  it("steers with guidance and suggested alternatives, without executing", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const d = await cp.propose({ sessionId: s.id, action: "force_push", resourceId: "main" });
    expect(d.outcome).toBe("steered");
    if (d.outcome !== "steered") return;
    expect(d.steering.suggestedActions).toEqual(expect.arrayContaining(["read_file", "log_note"]));
    expect(d.steering.maxRetries).toBeGreaterThan(0);
    expect((await cp.getProposal(d.proposalId)).status).toBe("steered");
  });

  it("allows unrestricted actions without approval but still within the budget", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxActions: 1 } });
    expect(await cp.propose({ sessionId: s.id, action: "log_note" })).toMatchObject({
      outcome: "allowed",
      tier: "unrestricted",
      code: "unrestricted",
    });
    expect(await cp.propose({ sessionId: s.id, action: "log_note" })).toMatchObject({
      outcome: "denied",
      code: "budget_exhausted",
    });
  });

  it("locks a resource while a proposal on it executes, and frees it on completion", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const first = await cp.propose({
      sessionId: s.id,
      action: "write_file",
      resourceId: "db.json",
      args: { v: 1 },
    });
    expect(first.outcome).toBe("allowed");
    const second = await cp.propose({
      sessionId: s.id,
      action: "write_file",
      resourceId: "db.json",
      args: { v: 2 },
    });
    expect(second).toMatchObject({ outcome: "denied", code: "resource_locked" });
    const other = await cp.propose({ sessionId: s.id, action: "write_file", resourceId: "other.json" });
    expect(other.outcome).toBe("allowed");
    await cp.complete(first.proposalId, { ok: false, error: "disk full" });
    expect((await cp.getProposal(first.proposalId)).error).toBe("disk full");
    const third = await cp.propose({
      sessionId: s.id,
      action: "write_file",
      resourceId: "db.json",
      args: { v: 3 },
    });
    expect(third.outcome).toBe("allowed");
  });

  it("a lock left by a proposal expires after lockTtlMs", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession();
    expect((await cp.propose({ sessionId: s.id, action: "write_file", resourceId: "r" })).outcome).toBe(
      "allowed",
    );
    clock.advance(15 * 60_000);
    expect(
      (await cp.propose({ sessionId: s.id, action: "write_file", resourceId: "r", args: { n: 2 } })).outcome,
    ).toBe("allowed");
  });

  it("enforces agent identity and capabilities once agents are registered", async () => {
    const { cp } = h();
    const owned = await cp.openSession({ agentId: "owner" });
    expect((await cp.propose({ sessionId: owned.id, agentId: "ghost", action: "read_file" })).outcome).toBe(
      "allowed",
    );
    await cp.registerAgent({ id: "reader", capabilities: ["read_file"] });
    // "reader" acts in a session it owns (sessions belong to agents: see authority.test.ts).
    const s = await cp.openSession({ agentId: "reader" });
    expect(await cp.propose({ sessionId: s.id, agentId: "ghost", action: "read_file" })).toMatchObject({
      outcome: "denied",
      code: "unknown_agent",
    });
    expect(await cp.propose({ sessionId: s.id, agentId: "reader", action: "write_file" })).toMatchObject({
      outcome: "denied",
      code: "missing_capability",
    });
    expect((await cp.propose({ sessionId: s.id, agentId: "reader", action: "read_file" })).outcome).toBe(
      "allowed",
    );
    // The session owner acts when the proposal names no agent: "owner" is not registered.
    expect((await cp.propose({ sessionId: owned.id, action: "read_file" })).code).toBe("unknown_agent");
  });

  it("warn mode lets unknown agents through with a warning", async () => {
    const { storage } = h();
    const { cp: warnCp } = await makeControlPlane(storage, { agentPolicy: "warn" });
    await warnCp.registerAgent({ id: "reader", capabilities: ["read_file"] });
    const s = await warnCp.openSession();
    const d = await warnCp.propose({ sessionId: s.id, agentId: "ghost", action: "read_file" });
    expect(d.outcome).toBe("allowed");
    expect(d.warnings.join(" ")).toContain("ghost");
  });

  it("rejects bad input with a clear error naming the field, and changes nothing", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const before = await cp.feed({ limit: 1000 });
    await expect(cp.propose({ sessionId: "nope", action: "read_file" })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(cp.propose({ sessionId: s.id, action: "read_file", cost: -1 })).rejects.toThrow(
      /cost: expected a non-negative amount/,
    );
    await expect(cp.propose({ sessionId: s.id } as never)).rejects.toThrow(/action/);
    await expect(cp.propose({ sessionId: s.id, action: "read_file", args: [] as never })).rejects.toThrow(
      /args/,
    );
    await expect(cp.propose({ sessionId: s.id, action: "read_file", idempotencyKey: "" })).rejects.toThrow(
      /idempotencyKey/,
    );
    await expect(cp.openSession({ budget: { maxActions: -1 } })).rejects.toThrow(/budget.maxActions/);
    await expect(cp.openSession({ policy: { version: 2 } })).rejects.toThrow(/policy.version/);
    await expect(cp.complete("missing", { ok: true })).rejects.toMatchObject({ code: "not_found" });
    await expect(cp.complete("x", { ok: "yes" as never, cost: "1.0000001" })).rejects.toThrow(
      /ok: expected a boolean[\s\S]*cost/,
    );
    expect(await cp.feed({ limit: 1000 })).toEqual(before);
    expect(await cp.listProposals()).toEqual([]);
  });

  it("refuses to complete a proposal that is not executing", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const denied = await cp.propose({ sessionId: s.id, action: "delete_database" });
    await expect(cp.complete(denied.proposalId, { ok: true })).rejects.toMatchObject({
      code: "invalid_transition",
      message: expect.stringContaining('from "denied" to "succeeded"'),
    });
    const d = await cp.propose({ sessionId: s.id, action: "read_file" });
    await cp.complete(d.proposalId, { ok: true });
    await expect(cp.complete(d.proposalId, { ok: true })).rejects.toMatchObject({
      code: "invalid_transition",
    });
  });

  it("replays an idempotent propose with a single effect, and rejects the key for another operation", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxActions: 10 } });
    const a = await cp.propose({ sessionId: s.id, action: "read_file", idempotencyKey: "k1" });
    const b = await cp.propose({ sessionId: s.id, action: "read_file", idempotencyKey: "k1" });
    expect(b).toEqual(a);
    expect((await cp.getSession(s.id)).budget.usedActions).toBe(1);
    expect(await cp.listProposals({ sessionId: s.id })).toHaveLength(1);
    await expect(cp.complete(a.proposalId, { ok: true, idempotencyKey: "k1" })).rejects.toMatchObject({
      code: "idempotency_conflict",
    });
    const c1 = await cp.complete(a.proposalId, { ok: true, idempotencyKey: "k2" });
    const c2 = await cp.complete(a.proposalId, { ok: true, idempotencyKey: "k2" });
    expect(c2).toEqual(c1);
  });
});
