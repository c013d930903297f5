import { describe, expect, it } from "vitest";
import { useControlPlane } from "../support/control-plane-fixture.js";
import { withAllStorageCases } from "../support/postgres-case.js";

const cases = await withAllStorageCases();

const TTL = 60_000;

describe.each(cases)("kill switches and locks on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase, { lockTtlMs: TTL });

  it("a session kill tells the agent `kill_switch` with the kill's reason", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    await cp.kill({ scope: "session", sessionId: s.id, reason: "operator saw a loop" });
    const d = await cp.propose({ sessionId: s.id, action: "read_file" });
    expect(d).toMatchObject({ outcome: "denied", code: "kill_switch" });
    expect(d.reason).toContain("operator saw a loop");
  });

  it("an agent switch stops the agent everywhere: created and later sessions it owns, as owner and as actor", async () => {
    const { cp } = h();
    const created = await cp.openSession({ agentId: "bot-a" });
    const active = await cp.openSession({ agentId: "bot-a" });
    await cp.activateSession(active.id);
    const other = await cp.openSession({ agentId: "bot-b" });
    const delegated = await cp.propose({
      sessionId: active.id,
      agentId: "bot-b",
      action: "deploy",
      resourceId: "svc",
    });
    expect(delegated.outcome).toBe("pending_approval");

    const result = await cp.kill({ scope: "agent", agentId: "bot-a", reason: "runaway" });
    expect(result).toMatchObject({ sessionsPaused: 2, ticketsDenied: 1 });
    expect((await cp.getSession(created.id)).status).toBe("paused");
    expect((await cp.getSession(active.id)).status).toBe("paused");
    // Opened while the switch is engaged: opened paused.
    const later = await cp.openSession({ agentId: "bot-a" });
    expect(later.status).toBe("paused");
    const denied = [
      { sessionId: created.id },
      { sessionId: active.id },
      { sessionId: later.id },
      { sessionId: active.id, agentId: "bot-b" }, // another agent acting in bot-a's session
      { sessionId: other.id, agentId: "bot-a" }, // bot-a acting in a session it does not own
    ];
    for (const where of denied) {
      const d = await cp.propose({ ...where, action: "read_file" });
      expect({ where, outcome: d.outcome, code: d.code }).toEqual({
        where,
        outcome: "denied",
        code: "kill_switch",
      });
      expect(d.reason).toContain("runaway");
    }
    expect((await cp.propose({ sessionId: other.id, agentId: "bot-b", action: "read_file" })).outcome).toBe(
      "allowed",
    );
    await cp.resume({ scope: "agent", agentId: "bot-a" });
    await cp.resumeSession(later.id);
    expect((await cp.propose({ sessionId: later.id, action: "read_file" })).outcome).toBe("allowed");
  });

  it("kills racing each other and proposals all finish (a lost fence upgrade is re-run)", async () => {
    const { cp } = h();
    const s = await cp.openSession({ agentId: "bot-a" });
    const results = await Promise.all([
      cp.kill({ scope: "agent", agentId: "bot-a", reason: "one" }),
      cp.kill({ scope: "agent", agentId: "bot-b", reason: "two" }),
      cp.kill({ scope: "session", sessionId: s.id, reason: "three" }),
      cp.propose({ sessionId: s.id, action: "read_file" }),
      cp.resume({ scope: "agent", agentId: "bot-c" }),
    ]);
    expect(results).toHaveLength(5);
    expect((await cp.listKillSwitches({ engagedOnly: true })).map((k) => k.target).sort()).toEqual(
      ["bot-a", "bot-b", s.id].sort(),
    );
    expect((await cp.propose({ sessionId: s.id, action: "read_file" })).code).toBe("kill_switch");
  });

  for (const how of ["kill", "abort", "close"] as const) {
    it(`${how} of a session keeps the lock of executing work until complete(); pending holds are released`, async () => {
      const { cp } = h();
      const s = await cp.openSession();
      const running = await cp.propose({ sessionId: s.id, action: "read_file", resourceId: "busy" });
      const waiting = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "asked" });
      expect([running.outcome, waiting.outcome]).toEqual(["allowed", "pending_approval"]);
      if (how === "kill") await cp.kill({ scope: "session", sessionId: s.id, reason: "stop" });
      else if (how === "abort") await cp.abortSession(s.id, "stop");
      else await cp.closeSession(s.id);

      const next = await cp.openSession();
      expect(await cp.propose({ sessionId: next.id, action: "read_file", resourceId: "busy" })).toMatchObject(
        {
          outcome: "denied",
          code: "resource_locked",
        },
      );
      expect(
        (await cp.propose({ sessionId: next.id, action: "read_file", resourceId: "asked" })).outcome,
      ).toBe("allowed");
      expect((await cp.complete(running.proposalId, { ok: true })).status).toBe("succeeded");
      expect(
        (await cp.propose({ sessionId: next.id, action: "read_file", resourceId: "busy" })).outcome,
      ).toBe("allowed");
    });
  }

  it("the executing holder of a lease taken over after expiry becomes outcome_unknown, once", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession();
    const first = await cp.propose({ sessionId: s.id, action: "read_file", resourceId: "r" });
    clock.advance(TTL + 1);
    const second = await cp.propose({ sessionId: s.id, action: "write_file", resourceId: "r" });
    expect([first.outcome, second.outcome]).toEqual(["allowed", "allowed"]);
    expect((await cp.getProposal(first.proposalId)).status).toBe("outcome_unknown");
    expect((await cp.getProposal(second.proposalId)).status).toBe("executing");
    await cp.recover();
    const unknown = (await cp.events(s.id)).filter((e) => e.kind === "outcome_unknown");
    expect(unknown.map((e) => e.proposalId)).toEqual([first.proposalId]);
  });

  it("after recover(), no proposal is executing without a live lease (a killed session's lease expired)", async () => {
    const { cp, clock } = h();
    const s = await cp.openSession();
    const a = await cp.propose({ sessionId: s.id, action: "read_file", resourceId: "x" });
    const b = await cp.propose({ sessionId: s.id, action: "read_file" });
    await cp.kill({ scope: "session", sessionId: s.id, reason: "stop" });
    clock.advance(TTL + 1);
    await cp.recover();
    for (const id of [a.proposalId, b.proposalId]) {
      expect((await cp.getProposal(id)).status).toBe("outcome_unknown");
    }
    expect(await cp.listProposals({ statuses: ["executing"] })).toEqual([]);
  });
});
