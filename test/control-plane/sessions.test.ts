import { describe, expect, it } from "vitest";
import {
  makeControlPlane,
  TEST_POLICY,
  useControlPlane,
  withSqliteCase,
} from "../support/control-plane-fixture.js";

const cases = await withSqliteCase();

describe.each(cases)("sessions on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);

  it("follows created → active ⇄ paused → completed and records each step", async () => {
    const { cp } = h();
    const s = await cp.openSession({ name: "job" });
    expect((await cp.activateSession(s.id)).status).toBe("active");
    expect((await cp.pauseSession(s.id, "waiting")).statusReason).toBe("waiting");
    expect((await cp.propose({ sessionId: s.id, action: "read_file" })).code).toBe("session_not_executable");
    expect((await cp.resumeSession(s.id)).status).toBe("active");
    expect((await cp.closeSession(s.id)).status).toBe("completed");
    const kinds = (await cp.events(s.id)).map((e) => e.kind);
    expect(kinds).toEqual([
      "session_opened",
      "session_activated",
      "session_paused",
      "proposal_decided",
      "session_resumed",
      "session_completed",
    ]);
  });

  it("rejects every illegal transition with an error naming both states", async () => {
    const { cp } = h();
    const illegal: [string, (id: string) => Promise<unknown>, string, string][] = [];
    const created = await cp.openSession();
    illegal.push([created.id, (id) => cp.pauseSession(id), "created", "paused"]);
    illegal.push([created.id, (id) => cp.resumeSession(id), "created", "active"]);
    illegal.push([created.id, (id) => cp.closeSession(id), "created", "completed"]);
    const done = await cp.openSession();
    await cp.activateSession(done.id);
    await cp.closeSession(done.id);
    illegal.push([done.id, (id) => cp.activateSession(id), "completed", "active"]);
    illegal.push([done.id, (id) => cp.abortSession(id, "late"), "completed", "aborted"]);
    illegal.push([done.id, (id) => cp.closeSession(id), "completed", "completed"]);
    const aborted = await cp.openSession();
    await cp.abortSession(aborted.id, "stop");
    illegal.push([aborted.id, (id) => cp.closeSession(id), "aborted", "completed"]);
    illegal.push([aborted.id, (id) => cp.resumeSession(id), "aborted", "active"]);
    for (const [id, call, from, to] of illegal) {
      const before = await cp.events(id);
      await expect(call(id)).rejects.toMatchObject({
        code: "invalid_transition",
        message: expect.stringContaining(`from "${from}" to "${to}"`),
      });
      expect(await cp.events(id)).toEqual(before);
    }
    await expect(cp.closeSession("missing")).rejects.toMatchObject({ code: "not_found" });
  });

  it("aborting a session denies its pending tickets and frees its locks", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const d = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "svc" });
    await cp.abortSession(s.id, "operator stop");
    expect(await cp.getProposal(d.proposalId)).toMatchObject({ status: "denied" });
    const other = await cp.openSession();
    expect((await cp.propose({ sessionId: other.id, action: "write_file", resourceId: "svc" })).outcome).toBe(
      "allowed",
    );
  });

  it("freezes the policy snapshot per session and reads it back", async () => {
    const { storage, cp } = h();
    const strict = {
      ...TEST_POLICY,
      actions: { ...TEST_POLICY.actions, blocked: ["read_file"], autoApprove: [] },
    };
    const s1 = await cp.openSession();
    const s2 = await cp.openSession({ policy: strict });
    expect((await cp.propose({ sessionId: s1.id, action: "read_file" })).outcome).toBe("allowed");
    expect((await cp.propose({ sessionId: s2.id, action: "read_file" })).outcome).toBe("denied");
    const p2 = await cp.getSessionPolicy(s2.id);
    expect(p2.id).toBe(s2.policyId);
    expect(p2.document.actions.blocked).toEqual(["read_file"]);
    // A fresh control plane on the same storage (as after a restart) reloads the snapshot from storage.
    const { cp: restarted } = await makeControlPlane(storage);
    expect((await restarted.getSessionPolicy(s2.id)).id).toBe(s2.policyId);
    expect((await restarted.propose({ sessionId: s2.id, action: "read_file" })).code).toBe("blocked_action");
  });

  it("openSession is idempotent by key", async () => {
    const { cp } = h();
    const a = await cp.openSession({ name: "x", idempotencyKey: "open-1" });
    const b = await cp.openSession({ name: "x", idempotencyKey: "open-1" });
    expect(b.id).toBe(a.id);
    expect(await cp.listSessions()).toHaveLength(1);
    await expect(cp.abortSession(a.id, "r", { idempotencyKey: "open-1" })).rejects.toMatchObject({
      code: "idempotency_conflict",
    });
    expect((await cp.getSession(a.id)).status).toBe("created");
  });

  it("enforces one active cycle per session as a lease", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    await cp.beginCycle(s.id, { owner: "worker-1", ttlMs: 60_000 });
    await expect(cp.beginCycle(s.id, { owner: "worker-2", ttlMs: 60_000 })).rejects.toMatchObject({
      code: "conflict",
    });
    expect(await cp.endCycle(s.id, "worker-2")).toBe(false);
    expect(await cp.endCycle(s.id, "worker-1")).toBe(true);
    await cp.beginCycle(s.id, { owner: "worker-2", ttlMs: 60_000 });
  });

  it("registers agents and delegations, and reports health", async () => {
    const { cp } = h();
    await cp.registerAgent({ id: "a", capabilities: ["Read_File"], tags: ["ops"] });
    await cp.registerAgent({ id: "b", tags: ["dev"] });
    expect((await cp.getAgent("a")).capabilities).toEqual(["read_file"]);
    expect((await cp.listAgents({ tags: ["ops"] })).map((x) => x.id)).toEqual(["a"]);
    await expect(cp.registerAgent({ id: "", capabilities: [1 as never] })).rejects.toThrow(
      /id[\s\S]*capabilities\[0\]/,
    );
    await cp.recordDelegation({ fromAgentId: "a", toAgentId: "b", task: "summarise" });
    await expect(cp.recordDelegation({ fromAgentId: "a", toAgentId: "zz", task: "t" })).rejects.toMatchObject(
      { code: "not_found" },
    );
    await cp.openSession();
    const health = await cp.health();
    expect(health.sessions.created).toBe(1);
    expect(health.pendingTickets).toBe(0);
  });
});
