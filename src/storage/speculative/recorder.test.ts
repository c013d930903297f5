import { describe, expect, it } from "vitest";
import { executingProposal, sessionRecord } from "../../testing/conformance/fixtures.js";
import type { DecisionContextQuery } from "../storage.js";
import type { SpeculationSnapshot } from "./plan.js";
import { isUnsupported, recordingTx } from "./recorder.js";

const query: DecisionContextQuery = {
  sessionId: "s1",
  agentId: null,
  fingerprint: "fp",
  retryStatuses: ["approved", "pending_approval"],
};

function snapshot(patch: Partial<SpeculationSnapshot["context"]> = {}, key?: string): SpeculationSnapshot {
  return {
    query: key === undefined ? { context: query } : { context: query, idempotencyKey: key },
    context: {
      session: sessionRecord("s1", { maxActions: 2, usedActions: 1, lastSeq: 4 }),
      agentId: null,
      agent: undefined,
      anyAgent: false,
      killSwitch: undefined,
      retry: undefined,
      ...patch,
    },
    idempotency: undefined,
  };
}

const rejection = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("speculative recorder", () => {
  it("answers the decision read from the snapshot and records checks and writes in call order", async () => {
    const r = recordingTx({ snapshot: snapshot({}, "k1") });
    expect(await r.tx.idempotency.get("k1")).toBeUndefined();
    const context = await r.tx.decisionContext(query);
    expect(context.session?.id).toBe("s1");
    const lease = {
      key: "resource::a",
      owner: "p1",
      expiresAt: 9,
      sessionId: "s1",
      proposalId: "p1",
      acquiredAt: 1,
    };
    expect(await r.tx.leases.acquireDisplacing(lease, 1)).toEqual({ acquired: true, displaced: undefined });
    const reserved = await r.tx.sessions.reserveBudget("s1", 5, 1, 7);
    expect(reserved).toMatchObject({ usedActions: 2, usedCost: 5, updatedAt: 7 });
    const appended = await r.tx.events.append({
      sessionId: "s1",
      kind: "proposal_decided",
      payload: {},
      at: 7,
    });
    expect(appended.seq).toBe(5);
    const plan = r.plan();
    expect(plan.checks.map((c) => c.kind)).toEqual(["idempotency_absent", "decision_context"]);
    expect(plan.writes.map((w) => w.op)).toEqual(["lease_acquire", "budget_reserve", "event_append"]);
  });

  it("throws Unsupported for what it does not model", async () => {
    const killed = recordingTx({
      snapshot: snapshot({
        killSwitch: {
          scope: "global",
          target: "",
          engaged: true,
          reason: "x",
          engagedBy: null,
          engagedAt: 1,
          releasedAt: null,
        },
      }),
    });
    expect(isUnsupported(await rejection(killed.tx.decisionContext(query)))).toBe(true);

    const r = recordingTx({ snapshot: snapshot() });
    expect(isUnsupported(await rejection(r.tx.decisionContext({ ...query, fingerprint: "other" })))).toBe(
      true,
    );
    await r.tx.decisionContext(query);
    await r.tx.sessions.reserveBudget("s1", 0, 1, 2);
    // The second action would exceed maxActions 2 in the snapshot: decided by the real transaction.
    expect(isUnsupported(await rejection(r.tx.sessions.reserveBudget("s1", 0, 1, 2)))).toBe(true);
    expect(isUnsupported(await rejection(r.tx.tickets.get("t1")))).toBe(true);
    expect(isUnsupported(await rejection(r.tx.sessions.get("s1")))).toBe(true);
    expect(() => r.tx.notify({ topic: "session", id: "s1" })).toThrow(/change notice/);
    const withKey = recordingTx({ snapshot: snapshot({}, undefined) });
    expect(isUnsupported(await rejection(withKey.tx.idempotency.get("k2")))).toBe(true);
  });

  it("transitions a known proposal only from its status, checking the row it read", async () => {
    const row = executingProposal("p1", "s1", 5);
    const r = recordingTx({ proposal: (id) => (id === "p1" ? row : undefined) });
    const done = await r.tx.proposals.transition("p1", ["executing"], { status: "succeeded", updatedAt: 6 });
    expect(done).toMatchObject({ id: "p1", status: "succeeded", updatedAt: 6 });
    expect(
      isUnsupported(
        await rejection(r.tx.proposals.transition("p1", ["executing"], { status: "failed", updatedAt: 7 })),
      ),
    ).toBe(true);
    expect(isUnsupported(await rejection(r.tx.proposals.get("p2")))).toBe(true);
    const plan = r.plan();
    expect(plan.checks).toEqual([
      {
        kind: "proposal_unchanged",
        id: "p1",
        status: "executing",
        reservedCost: row.reservedCost,
        updatedAt: row.updatedAt,
      },
    ]);
    expect(plan.writes).toEqual([
      {
        op: "proposal_transition",
        id: "p1",
        from: ["executing"],
        patch: { status: "succeeded", updatedAt: 6 },
      },
    ]);
  });
});
