import { expect, it } from "vitest";
import type { AgentRecord } from "../../types/agent.js";
import { type ConformanceContext, proposalRecord, seedSession, write } from "./fixtures.js";

const agent = (id: string, patch: Partial<AgentRecord> = {}): AgentRecord => ({
  id,
  name: id,
  capabilities: ["files.read"],
  tags: [],
  createdAt: 1000,
  updatedAt: 1000,
  ...patch,
});

/** Policies, agents, delegations, proposals and the idempotency ledger. */
export function recordCases(ctx: ConformanceContext): void {
  it("policies.put is idempotent and never overwrites", async () => {
    const s = ctx.storage();
    const doc = { version: 1, actions: { blocked: ["x"] }, nested: [1, "two", null, { three: true }] };
    await write(s, (tx) => tx.policies.put({ id: "h1", document: doc, createdAt: 1 }));
    await write(s, (tx) => tx.policies.put({ id: "h1", document: { version: 2 }, createdAt: 2 }));
    expect(await s.read((tx) => tx.policies.get("h1"))).toEqual({ id: "h1", document: doc, createdAt: 1 });
    expect(await s.read((tx) => tx.policies.get("h2"))).toBeUndefined();
  });

  it("agents.upsert keeps createdAt, replaces the rest; list by tags ordered by id; any", async () => {
    const s = ctx.storage();
    expect(await s.read((tx) => tx.agents.any())).toBe(false);
    await write(s, async (tx) => {
      await tx.agents.upsert(agent("b", { tags: ["ops", "prod"] }));
      await tx.agents.upsert(agent("a", { tags: ["dev"] }));
      await tx.agents.upsert(agent("c", { tags: [] }));
    });
    const updated = await write(s, (tx) =>
      tx.agents.upsert(
        agent("a", { name: "A", tags: ["prod"], capabilities: ["*"], createdAt: 5000, updatedAt: 5000 }),
      ),
    );
    expect(updated).toEqual(
      agent("a", { name: "A", tags: ["prod"], capabilities: ["*"], createdAt: 1000, updatedAt: 5000 }),
    );
    expect(await s.read((tx) => tx.agents.get("a"))).toEqual(updated);
    expect(await s.read((tx) => tx.agents.get("zz"))).toBeUndefined();
    const ids = (rows: readonly AgentRecord[]) => rows.map((r) => r.id);
    expect(ids(await s.read((tx) => tx.agents.list({ limit: 10 })))).toEqual(["a", "b", "c"]);
    expect(ids(await s.read((tx) => tx.agents.list({ tags: [], limit: 10 })))).toEqual(["a", "b", "c"]);
    expect(ids(await s.read((tx) => tx.agents.list({ tags: ["prod"], limit: 10 })))).toEqual(["a", "b"]);
    expect(ids(await s.read((tx) => tx.agents.list({ tags: ["ops", "dev"], limit: 10 })))).toEqual(["b"]);
    expect(ids(await s.read((tx) => tx.agents.list({ limit: 1, offset: 1 })))).toEqual(["b"]);
    expect(await s.read((tx) => tx.agents.any())).toBe(true);
  });

  it("delegations are listed oldest first, filtered by either side", async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.agents.insertDelegation({
        id: "d1",
        fromAgentId: "a",
        toAgentId: "b",
        sessionId: null,
        task: "t1",
        createdAt: 1,
      });
      await tx.agents.insertDelegation({
        id: "d2",
        fromAgentId: "b",
        toAgentId: "c",
        sessionId: "s",
        task: "t2",
        createdAt: 2,
      });
      await tx.agents.insertDelegation({
        id: "d3",
        fromAgentId: "c",
        toAgentId: "d",
        sessionId: null,
        task: "t3",
        createdAt: 3,
      });
    });
    const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);
    expect(ids(await s.read((tx) => tx.agents.listDelegations({ limit: 10 })))).toEqual(["d1", "d2", "d3"]);
    expect(ids(await s.read((tx) => tx.agents.listDelegations({ agentId: "b", limit: 10 })))).toEqual([
      "d1",
      "d2",
    ]);
    expect(ids(await s.read((tx) => tx.agents.listDelegations({ limit: 1 })))).toEqual(["d1"]);
    expect((await s.read((tx) => tx.agents.listDelegations({ agentId: "c", limit: 10 })))[0]).toEqual({
      id: "d2",
      fromAgentId: "b",
      toAgentId: "c",
      sessionId: "s",
      task: "t2",
      createdAt: 2,
    });
  });

  it("findDelegation: the oldest delegation covering the session, with the delegator's current record", async () => {
    const s = ctx.storage();
    const delegation = (
      id: string,
      from: string,
      to: string,
      sessionId: string | null,
      createdAt: number,
    ) => ({
      id,
      fromAgentId: from,
      toAgentId: to,
      sessionId,
      task: id,
      createdAt,
    });
    await write(s, async (tx) => {
      await tx.agents.upsert(agent("owner", { capabilities: ["a", "b"] }));
      await tx.agents.upsert(agent("helper"));
      await tx.agents.insertDelegation(delegation("d1", "owner", "helper", "s1", 1));
      await tx.agents.insertDelegation(delegation("d2", "owner", "helper", null, 2));
      await tx.agents.insertDelegation(delegation("d3", "owner", "other", "s2", 3));
      await tx.agents.insertDelegation(delegation("d4", "ghost", "helper", null, 4));
    });
    const find = (from: string, to: string, sessionId: string) =>
      s.read((tx) => tx.agents.findDelegation(from, to, sessionId));
    expect(await find("owner", "helper", "s1")).toEqual({
      delegation: delegation("d1", "owner", "helper", "s1", 1),
      delegator: agent("owner", { capabilities: ["a", "b"] }),
    });
    // A delegation without a session covers every session; one for another session does not.
    expect((await find("owner", "helper", "s9"))?.delegation.id).toBe("d2");
    expect(await find("owner", "other", "s1")).toBeUndefined();
    expect((await find("owner", "other", "s2"))?.delegation.id).toBe("d3");
    // Direction matters, and a delegator that is not registered delegates nothing.
    expect(await find("helper", "owner", "s1")).toBeUndefined();
    expect(await find("ghost", "helper", "s1")).toBeUndefined();
    // The delegator's record is read as it is now.
    await write(s, (tx) => tx.agents.upsert(agent("owner", { capabilities: ["a"], updatedAt: 2000 })));
    expect((await find("owner", "helper", "s1"))?.delegator.capabilities).toEqual(["a"]);
  });

  it("proposals: insert/get round-trip; duplicate → conflict; unknown session → not_found", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    const p = proposalRecord("p1", "s1", {
      agentId: "a1",
      output: { rows: [1, 2] },
      trace: [{ step: "policy", result: "x", detail: "d" }],
      cost: 1_500_000,
    });
    await write(s, (tx) => tx.proposals.insert(p));
    expect(await s.read((tx) => tx.proposals.get("p1"))).toEqual(p);
    await expect(write(s, (tx) => tx.proposals.insert(p))).rejects.toMatchObject({ code: "conflict" });
    await expect(write(s, (tx) => tx.proposals.insert(proposalRecord("p2", "nope")))).rejects.toMatchObject({
      code: "not_found",
    });
    expect(await s.read((tx) => tx.proposals.get("p2"))).toBeUndefined();
  });

  it("proposals.transition applies the patch only from an allowed status", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await write(s, (tx) =>
      tx.proposals.insert(proposalRecord("p1", "s1", { status: "executing", reservedCost: 7 })),
    );
    const refused = await write(s, (tx) =>
      tx.proposals.transition("p1", ["pending_approval"], { status: "denied", updatedAt: 2000 }),
    );
    expect(refused).toBeUndefined();
    const done = await write(s, (tx) =>
      tx.proposals.transition("p1", ["executing"], {
        status: "succeeded",
        updatedAt: 3000,
        actualCost: 5,
        output: "done",
        completedAt: 3000,
      }),
    );
    expect(done).toEqual({
      ...proposalRecord("p1", "s1", { status: "executing", reservedCost: 7 }),
      status: "succeeded",
      updatedAt: 3000,
      actualCost: 5,
      output: "done",
      completedAt: 3000,
    });
    expect(await s.read((tx) => tx.proposals.get("p1"))).toEqual(done);
    expect(
      await write(s, (tx) =>
        tx.proposals.transition("nope", ["executing"], { status: "failed", updatedAt: 1 }),
      ),
    ).toBeUndefined();
  });

  it("findByFingerprint returns the newest proposal with an allowed status; list newest first", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedSession(s, "s2");
    await write(s, async (tx) => {
      await tx.proposals.insert(
        proposalRecord("old", "s1", { fingerprint: "f", status: "approved", createdAt: 1 }),
      );
      await tx.proposals.insert(
        proposalRecord("new", "s1", { fingerprint: "f", status: "approved", createdAt: 2 }),
      );
      await tx.proposals.insert(
        proposalRecord("den", "s1", { fingerprint: "f", status: "denied", createdAt: 3 }),
      );
      await tx.proposals.insert(
        proposalRecord("other", "s2", { fingerprint: "f", status: "approved", createdAt: 4 }),
      );
    });
    const find = (st: ("approved" | "denied" | "executing")[], sid = "s1") =>
      s.read((tx) => tx.proposals.findByFingerprint(sid, "f", st));
    expect(await find(["approved"])).toMatchObject({ id: "new" });
    expect(await find(["approved", "denied"])).toMatchObject({ id: "den" });
    expect(await find(["executing"])).toBeUndefined();
    expect(await find(["approved"], "s2")).toMatchObject({ id: "other" });
    const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);
    expect(ids(await s.read((tx) => tx.proposals.list({ limit: 10 })))).toEqual([
      "other",
      "den",
      "new",
      "old",
    ]);
    expect(
      ids(await s.read((tx) => tx.proposals.list({ sessionId: "s1", statuses: ["approved"], limit: 10 }))),
    ).toEqual(["new", "old"]);
    expect(ids(await s.read((tx) => tx.proposals.list({ limit: 2, offset: 1 })))).toEqual(["den", "new"]);
  });

  it("countWithStatus counts the proposals in one status", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    expect(await s.read((tx) => tx.proposals.countWithStatus("outcome_unknown"))).toBe(0);
    await write(s, async (tx) => {
      await tx.proposals.insert(proposalRecord("p1", "s1", { status: "outcome_unknown" }));
      await tx.proposals.insert(proposalRecord("p2", "s1", { status: "executing" }));
      await tx.proposals.insert(proposalRecord("p3", "s1", { status: "outcome_unknown" }));
    });
    expect(await s.read((tx) => tx.proposals.countWithStatus("outcome_unknown"))).toBe(2);
    expect(await s.read((tx) => tx.proposals.countWithStatus("executing"))).toBe(1);
    expect(await s.read((tx) => tx.proposals.countWithStatus("succeeded"))).toBe(0);
  });

  it("idempotency: put/get round-trip; a duplicate key is a conflict and rolls its transaction back", async () => {
    const s = ctx.storage();
    const rec = {
      key: "k1",
      operation: "propose",
      fingerprint: "fp-1",
      result: { id: "p1", list: [1, null] },
      createdAt: 1,
    };
    await write(s, (tx) => tx.idempotency.put(rec));
    expect(await s.read((tx) => tx.idempotency.get("k1"))).toEqual(rec);
    await expect(
      write(s, async (tx) => {
        await tx.policies.put({ id: "side-effect", document: {}, createdAt: 1 });
        await tx.idempotency.put({ ...rec, operation: "other", fingerprint: "fp-2" });
      }),
    ).rejects.toMatchObject({ code: "conflict" });
    expect(await s.read((tx) => tx.idempotency.get("k1"))).toEqual(rec);
    expect(await s.read((tx) => tx.policies.get("side-effect"))).toBeUndefined();
    expect(await s.read((tx) => tx.idempotency.get("k2"))).toBeUndefined();
  });

  it("idempotency: concurrent puts of one key ⇒ exactly one commits, the others get a conflict", async () => {
    const s = ctx.storage();
    const attempts = await Promise.allSettled(
      [0, 1, 2, 3].map((i) =>
        write(s, async (tx) => {
          await tx.policies.put({ id: `effect-${i}`, document: {}, createdAt: 1 });
          await tx.idempotency.put({
            key: "race",
            operation: "propose",
            fingerprint: `fp-${i}`,
            result: i,
            createdAt: 1,
          });
          return i;
        }),
      ),
    );
    const won = attempts.flatMap((a) => (a.status === "fulfilled" ? [a.value] : []));
    expect(won).toHaveLength(1);
    for (const a of attempts) {
      if (a.status === "rejected") expect(a.reason).toMatchObject({ code: "conflict" });
    }
    const winner = won[0]!;
    expect(await s.read((tx) => tx.idempotency.get("race"))).toMatchObject({
      fingerprint: `fp-${winner}`,
      result: winner,
    });
    for (const i of [0, 1, 2, 3]) {
      expect(await s.read((tx) => tx.policies.get(`effect-${i}`)), `effect-${i}`).toEqual(
        i === winner ? expect.anything() : undefined,
      );
    }
  });
}
