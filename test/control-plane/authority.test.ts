import { describe, expect, it } from "vitest";
import { TEST_POLICY, useControlPlane } from "../support/control-plane-fixture.js";
import { withAllStorageCases } from "../support/postgres-case.js";

const cases = await withAllStorageCases();

describe.each(cases)("no self-approval on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);

  const payment = (sessionId: string, agentId?: string, resourceId = "acct-1") =>
    h().cp.propose({
      sessionId,
      ...(agentId === undefined ? {} : { agentId }),
      action: "send_payment",
      resourceId,
      cost: 40,
    });

  it("refuses approve/deny by the acting agent or the session owner and changes nothing", async () => {
    const { cp } = h();
    const s = await cp.openSession({ agentId: "owner" });
    const d = await payment(s.id, "worker");
    if (d.outcome !== "pending_approval") throw new Error(`expected pending_approval, got ${d.outcome}`);
    const eventsBefore = await cp.events(s.id);
    const ticketBefore = await cp.getTicket(d.ticketId);

    for (const [verb, decidedBy] of [
      ["approve", "worker"],
      ["deny", "worker"],
      ["approve", "owner"],
      ["deny", " owner "],
    ] as const) {
      const call =
        verb === "approve" ? cp.approve(d.ticketId, { decidedBy }) : cp.deny(d.ticketId, { decidedBy });
      await expect(call).rejects.toMatchObject({ code: "self_approval" });
    }
    await expect(cp.approve(d.ticketId, { decidedBy: "worker" })).rejects.toThrow(
      /worker.*acting agent.*allowSelfApproval/,
    );
    await expect(cp.approve(d.ticketId, { decidedBy: "owner" })).rejects.toThrow(/owner.*session owner/);
    expect(await cp.getTicket(d.ticketId)).toEqual(ticketBefore);
    expect((await cp.getProposal(d.proposalId)).status).toBe("pending_approval");
    expect(await cp.events(s.id)).toEqual(eventsBefore);

    // Someone else decides; automatic denials (kill switch) are not human decisions and are unaffected.
    expect(await cp.approve(d.ticketId, { decidedBy: "alice" })).toMatchObject({
      status: "approved",
      decidedBy: "alice",
    });
    const second = await cp.openSession({ agentId: "owner" });
    const other = await payment(second.id, undefined, "acct-2");
    if (other.outcome !== "pending_approval") throw new Error("expected pending_approval");
    await expect(cp.approve(other.ticketId, { decidedBy: "owner" })).rejects.toMatchObject({
      code: "self_approval",
    });
    await cp.kill({ scope: "session", sessionId: second.id, reason: "halt" });
    expect(await cp.getTicket(other.ticketId)).toMatchObject({ status: "denied", decidedBy: "kill_switch" });
  });

  it("allows self-approval when the session's policy says approvals.allowSelfApproval: true", async () => {
    const { cp } = h();
    const policy = { ...TEST_POLICY, approvals: { timeout: "15m", allowSelfApproval: true } };
    const s = await cp.openSession({ agentId: "owner", policy });
    expect((await cp.getSessionPolicy(s.id)).approvals.allowSelfApproval).toBe(true);
    const d = await payment(s.id);
    if (d.outcome !== "pending_approval") throw new Error(`expected pending_approval, got ${d.outcome}`);
    expect(await cp.approve(d.ticketId, { decidedBy: "owner" })).toMatchObject({ status: "approved" });
    // The default policy keeps the rule.
    expect(cp.policy.approvals.allowSelfApproval).toBe(false);
  });
});

describe.each(cases)("sessions belong to agents on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);

  const register = async () => {
    const { cp } = h();
    await cp.registerAgent({ id: "owner", capabilities: ["*"] });
    await cp.registerAgent({ id: "helper", capabilities: ["read_file", "write_file"] });
    await cp.registerAgent({ id: "stranger", capabilities: ["*"] });
  };
  const act = (sessionId: string, agentId: string, action = "read_file", resourceId?: string) =>
    h().cp.propose({ sessionId, agentId, action, ...(resourceId ? { resourceId } : {}) });

  it("the owner and its delegates act; a stranger is denied not_session_agent", async () => {
    const { cp } = h();
    await register();
    const s = await cp.openSession({ agentId: "owner" });
    const other = await cp.openSession({ agentId: "owner" });
    expect((await act(s.id, "owner")).outcome).toBe("allowed");
    const stranger = await act(s.id, "stranger");
    expect(stranger).toMatchObject({ outcome: "denied", code: "not_session_agent" });
    expect(stranger.reason).toContain("stranger");
    expect(stranger.reason).toContain(s.id);
    expect(stranger.reason).toContain("owner");
    expect((await cp.getProposal(stranger.proposalId)).status).toBe("denied");

    // A delegation for another session does not count here.
    await cp.recordDelegation({ fromAgentId: "owner", toAgentId: "helper", task: "t", sessionId: other.id });
    expect(await act(s.id, "helper")).toMatchObject({ outcome: "denied", code: "not_session_agent" });
    const scoped = await act(other.id, "helper");
    expect(scoped.outcome).toBe("allowed");
    expect(scoped.trace).toContainEqual(
      expect.objectContaining({ step: "session_agent", result: "delegate" }),
    );

    // A delegation without a session covers every session of the delegator.
    await cp.recordDelegation({ fromAgentId: "owner", toAgentId: "stranger", task: "all" });
    expect((await act(s.id, "stranger", "read_file", "r1")).outcome).toBe("allowed");
    expect((await act(other.id, "stranger", "read_file", "r2")).outcome).toBe("allowed");
    // ...but not sessions of other owners, nor the other way round.
    const helperSession = await cp.openSession({ agentId: "helper" });
    expect(await act(helperSession.id, "stranger")).toMatchObject({ code: "not_session_agent" });
    expect(await act(helperSession.id, "owner")).toMatchObject({ code: "not_session_agent" });
  });

  it("a delegate's capabilities are its own intersected with its delegator's", async () => {
    const { cp } = h();
    await cp.registerAgent({ id: "reader", capabilities: ["read_file"] });
    await cp.registerAgent({ id: "helper", capabilities: ["read_file", "write_file"] });
    await cp.registerAgent({ id: "super", capabilities: ["*"] });
    const s = await cp.openSession({ agentId: "reader" });
    await cp.recordDelegation({ fromAgentId: "reader", toAgentId: "helper", task: "t" });
    await cp.recordDelegation({ fromAgentId: "reader", toAgentId: "super", task: "t", sessionId: s.id });
    expect((await act(s.id, "helper", "read_file")).outcome).toBe("allowed");
    const denied = await act(s.id, "helper", "write_file");
    expect(denied).toMatchObject({ outcome: "denied", code: "missing_capability" });
    expect(await act(s.id, "super", "write_file")).toMatchObject({ code: "missing_capability" });
    expect((await act(s.id, "super", "read_file", "r2")).outcome).toBe("allowed");
    // The delegate keeps its own capabilities in its own sessions.
    const own = await cp.openSession({ agentId: "helper" });
    expect((await act(own.id, "helper", "write_file")).outcome).toBe("allowed");
  });

  it("sessions without an owner stay open to every registered agent; the check needs registered agents", async () => {
    const { cp } = h();
    const owned = await cp.openSession({ agentId: "owner" });
    // No agent registered: no identity or ownership check at all.
    expect((await act(owned.id, "anyone")).outcome).toBe("allowed");
    await register();
    const shared = await cp.openSession();
    expect((await act(shared.id, "stranger")).outcome).toBe("allowed");
    expect(await act(owned.id, "stranger", "read_file", "x")).toMatchObject({ code: "not_session_agent" });
  });
});

describe.each(cases)("sessions belong to agents, warn mode, on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase, { agentPolicy: "warn" });

  it("lets a stranger through with a warning naming the session", async () => {
    const { cp } = h();
    await cp.registerAgent({ id: "owner", capabilities: ["*"] });
    await cp.registerAgent({ id: "stranger", capabilities: ["*"] });
    const s = await cp.openSession({ agentId: "owner" });
    const d = await cp.propose({ sessionId: s.id, agentId: "stranger", action: "read_file" });
    expect(d.outcome).toBe("allowed");
    expect(d.warnings.join(" ")).toContain(s.id);
    expect(d.trace).toContainEqual(expect.objectContaining({ step: "session_agent", result: "warn" }));
  });
});
