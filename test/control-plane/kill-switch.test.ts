import { describe, expect, it } from "vitest";
import { useControlPlane, withSqliteCase } from "../support/control-plane-fixture.js";

const cases = await withSqliteCase();

describe.each(cases)("kill switch on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);

  const activeSession = async (agentId?: string) => {
    const s = await h().cp.openSession(agentId ? { agentId } : {});
    await h().cp.activateSession(s.id);
    return s;
  };

  it("global: aborts every live session (more than 50), denies every pending ticket, blocks new proposals", async () => {
    const { cp } = h();
    const sessions = [];
    for (let i = 0; i < 60; i++) sessions.push(await activeSession());
    const paused = await activeSession();
    await cp.pauseSession(paused.id, "lunch");
    const _created = await cp.openSession();
    const tickets = [];
    for (const s of sessions.slice(0, 3)) {
      const d = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: `svc-${s.id}` });
      if (d.outcome === "pending_approval") tickets.push(d);
    }
    expect(tickets).toHaveLength(3);
    const done = await cp.openSession();
    await cp.activateSession(done.id);
    await cp.closeSession(done.id);

    const result = await cp.kill({ scope: "global", reason: "incident 42" });
    expect(result).toMatchObject({ scope: "global", changed: true, sessionsAborted: 62, ticketsDenied: 3 });
    const statuses = (await cp.listSessions({ limit: 1000 })).map((s) => s.status);
    expect(statuses.filter((s) => s === "aborted")).toHaveLength(62);
    expect(statuses.filter((s) => s === "completed")).toHaveLength(1);
    for (const t of tickets) {
      expect(await cp.getProposal(t.proposalId)).toMatchObject({ status: "denied", code: "kill_switch" });
      expect((await cp.waitForDecision(t.ticketId, { timeoutMs: 0 })).status).toBe("denied");
    }
    // New sessions are blocked too while the switch is engaged.
    const fresh = await cp.openSession();
    expect(await cp.propose({ sessionId: fresh.id, action: "read_file" })).toMatchObject({
      outcome: "denied",
      code: "kill_switch",
    });
    expect(await cp.resume({ scope: "global" })).toEqual({ released: true });
    expect(await cp.resume({ scope: "global" })).toEqual({ released: false });
    expect((await cp.propose({ sessionId: fresh.id, action: "read_file" })).outcome).toBe("allowed");
    expect((await cp.feed({ limit: 1000 })).filter((e) => e.kind === "kill_switch_engaged")).toHaveLength(1);
  });

  it("agent: pauses only the agent's sessions (all of them) and denies its pending tickets", async () => {
    const { cp } = h();
    const mine = [];
    for (let i = 0; i < 55; i++) mine.push(await activeSession("bot-a"));
    const theirs = await activeSession("bot-b");
    const shared = await activeSession();
    const ticketMine = await cp.propose({
      sessionId: shared.id,
      agentId: "bot-a",
      action: "deploy",
      resourceId: "x",
    });
    const ticketTheirs = await cp.propose({
      sessionId: shared.id,
      agentId: "bot-b",
      action: "deploy",
      resourceId: "y",
    });

    const result = await cp.kill({ scope: "agent", agentId: "bot-a", reason: "runaway" });
    expect(result).toMatchObject({ sessionsPaused: 55, sessionsAborted: 0, ticketsDenied: 1 });
    for (const s of mine) expect((await cp.getSession(s.id)).status).toBe("paused");
    expect((await cp.getSession(theirs.id)).status).toBe("active");
    expect((await cp.getSession(shared.id)).status).toBe("active");
    expect((await cp.getProposal(ticketMine.proposalId)).status).toBe("denied");
    expect((await cp.getProposal(ticketTheirs.proposalId)).status).toBe("pending_approval");

    expect(await cp.propose({ sessionId: shared.id, agentId: "bot-a", action: "read_file" })).toMatchObject({
      outcome: "denied",
      code: "kill_switch",
    });
    expect((await cp.propose({ sessionId: shared.id, agentId: "bot-b", action: "read_file" })).outcome).toBe(
      "allowed",
    );
    await cp.resume({ scope: "agent", agentId: "bot-a" });
    expect((await cp.propose({ sessionId: shared.id, agentId: "bot-a", action: "read_file" })).outcome).toBe(
      "allowed",
    );
    // Paused sessions stay paused until an operator resumes them.
    expect((await cp.getSession(mine[0]!.id)).status).toBe("paused");
    await cp.resumeSession(mine[0]!.id);
    expect((await cp.propose({ sessionId: mine[0]!.id, action: "read_file" })).outcome).toBe("allowed");
  });

  it("session: aborts that session only and denies its tickets", async () => {
    const { cp } = h();
    const a = await activeSession();
    const b = await activeSession();
    const d = await cp.propose({ sessionId: a.id, action: "deploy", resourceId: "z" });
    const result = await cp.kill({ scope: "session", sessionId: a.id, reason: "operator" });
    expect(result).toMatchObject({ sessionsAborted: 1, ticketsDenied: 1 });
    expect((await cp.getSession(a.id)).status).toBe("aborted");
    expect((await cp.getSession(b.id)).status).toBe("active");
    expect(d.outcome).toBe("pending_approval");
    expect((await cp.propose({ sessionId: a.id, action: "read_file" })).code).toBe("kill_switch");
    const again = await cp.kill({ scope: "session", sessionId: a.id, reason: "operator" });
    expect(again.changed).toBe(false);
  });

  it("kill and resume are idempotent by key", async () => {
    const { cp } = h();
    const a = await cp.kill({ scope: "global", reason: "drill", idempotencyKey: "k-1" });
    const b = await cp.kill({ scope: "global", reason: "drill", idempotencyKey: "k-1" });
    expect(b).toEqual(a);
    expect(await cp.resume({ scope: "global", idempotencyKey: "r-1" })).toEqual({ released: true });
    expect(await cp.resume({ scope: "global", idempotencyKey: "r-1" })).toEqual({ released: true });
    expect(await cp.resume({ scope: "global", idempotencyKey: "r-2" })).toEqual({ released: false });
    const kinds = (await cp.feed({ limit: 100 })).map((e) => e.kind);
    expect(kinds.filter((k) => k === "kill_switch_engaged")).toHaveLength(1);
    expect(kinds.filter((k) => k === "kill_switch_released")).toHaveLength(1);
  });

  it("validates the target and changes nothing on bad input", async () => {
    const { cp } = h();
    const before = await cp.feed({ limit: 1000 });
    await expect(cp.kill({ scope: "agent", reason: "x" })).rejects.toThrow(/agentId: required/);
    await expect(cp.kill({ scope: "session", reason: "x" })).rejects.toThrow(/sessionId: required/);
    await expect(cp.kill({ scope: "planet" as never, reason: "x" })).rejects.toThrow(/scope/);
    await expect(cp.kill({ scope: "global", reason: "" })).rejects.toThrow(/reason/);
    await expect(cp.kill({ scope: "session", sessionId: "nope", reason: "x" })).rejects.toMatchObject({
      code: "not_found",
    });
    expect(await cp.feed({ limit: 1000 })).toEqual(before);
    expect(await cp.listKillSwitches()).toEqual([]);
  });
});
