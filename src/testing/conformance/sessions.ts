import { expect, it } from "vitest";
import { type ConformanceContext, range, seedSession, sessionRecord, write } from "./fixtures.js";

/** Sessions: insert/get, guarded transitions, bulk transitions, budget counters, lists. */
export function sessionCases(ctx: ConformanceContext): void {
  it("inserts and reads back a session; a duplicate id is a conflict that changes nothing", async () => {
    const s = ctx.storage();
    const rec = sessionRecord("s1", { name: "n", agentId: "a1", maxCost: 5_000_000, maxActions: 3 });
    await write(s, (tx) => tx.sessions.insert(rec));
    expect(await s.read((tx) => tx.sessions.get("s1"))).toEqual(rec);
    expect(await s.read((tx) => tx.sessions.get("nope"))).toBeUndefined();
    await expect(write(s, (tx) => tx.sessions.insert({ ...rec, name: "other" }))).rejects.toMatchObject({
      code: "conflict",
    });
    expect(await s.read((tx) => tx.sessions.get("s1"))).toEqual(rec);
  });

  it("transition moves only from an allowed status", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1", { status: "created" });
    const moved = await write(s, (tx) => tx.sessions.transition("s1", ["created"], "active", null, 2000));
    expect(moved).toMatchObject({ status: "active", updatedAt: 2000 });
    const refused = await write(s, (tx) =>
      tx.sessions.transition("s1", ["created", "paused"], "aborted", "x", 3000),
    );
    expect(refused).toBeUndefined();
    expect(await s.read((tx) => tx.sessions.get("s1"))).toMatchObject({ status: "active", updatedAt: 2000 });
    expect(
      await write(s, (tx) => tx.sessions.transition("nope", ["active"], "paused", null, 1)),
    ).toBeUndefined();
    const aborted = await write(s, (tx) => tx.sessions.transition("s1", ["active"], "aborted", "stop", 4000));
    expect(aborted).toMatchObject({ status: "aborted", statusReason: "stop" });
  });

  it("transitionWhere moves every matching session (more than 50), filtered by agent and id", async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      for (const i of range(60)) await tx.sessions.insert(sessionRecord(`a${i}`, { agentId: "agent-a" }));
      for (const i of range(5)) await tx.sessions.insert(sessionRecord(`b${i}`, { agentId: "agent-b" }));
      await tx.sessions.insert(sessionRecord("done", { agentId: "agent-a", status: "completed" }));
    });
    const paused = await write(s, (tx) =>
      tx.sessions.transitionWhere({ statuses: ["active"], agentId: "agent-a" }, "paused", "kill", 2000),
    );
    expect([...paused].sort()).toEqual(
      range(60)
        .map((i) => `a${i}`)
        .sort(),
    );
    const counts = await s.read((tx) => tx.sessions.countByStatus());
    expect(counts).toEqual({ created: 0, active: 5, paused: 60, completed: 1, aborted: 0 });
    const one = await write(s, (tx) =>
      tx.sessions.transitionWhere({ statuses: ["active", "paused"], sessionId: "b3" }, "aborted", "x", 3000),
    );
    expect(one).toEqual(["b3"]);
    const all = await write(s, (tx) =>
      tx.sessions.transitionWhere({ statuses: ["active", "paused", "created"] }, "aborted", "global", 4000),
    );
    expect(all).toHaveLength(64);
    expect(await s.read((tx) => tx.sessions.get("done"))).toMatchObject({ status: "completed" });
  });

  it("reserveBudget allows exactly the limit and refuses one micro or one action over", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1", { maxCost: 1_000_000, maxActions: 2 });
    const first = await write(s, (tx) => tx.sessions.reserveBudget("s1", 400_000, 1, 2000));
    expect(first).toMatchObject({ usedCost: 400_000, usedActions: 1, updatedAt: 2000 });
    expect(await write(s, (tx) => tx.sessions.reserveBudget("s1", 600_001, 1, 3000))).toBeUndefined();
    const exact = await write(s, (tx) => tx.sessions.reserveBudget("s1", 600_000, 1, 3000));
    expect(exact).toMatchObject({ usedCost: 1_000_000, usedActions: 2 });
    expect(await write(s, (tx) => tx.sessions.reserveBudget("s1", 0, 1, 4000))).toBeUndefined();
    expect(await write(s, (tx) => tx.sessions.reserveBudget("s1", 1, 0, 4000))).toBeUndefined();
    expect(await s.read((tx) => tx.sessions.get("s1"))).toMatchObject({
      usedCost: 1_000_000,
      usedActions: 2,
    });
    expect(await write(s, (tx) => tx.sessions.reserveBudget("nope", 0, 0, 1))).toBeUndefined();
  });

  it("reserveBudget without limits always succeeds; limits apply independently", async () => {
    const s = ctx.storage();
    await seedSession(s, "free");
    await seedSession(s, "actions-only", { maxActions: 1 });
    expect(
      await write(s, (tx) => tx.sessions.reserveBudget("free", 9_000_000_000_000, 1000, 1)),
    ).toMatchObject({
      usedCost: 9_000_000_000_000,
      usedActions: 1000,
    });
    expect(
      await write(s, (tx) => tx.sessions.reserveBudget("actions-only", 123_456_789, 1, 1)),
    ).toBeDefined();
    expect(await write(s, (tx) => tx.sessions.reserveBudget("actions-only", 0, 1, 1))).toBeUndefined();
  });

  it("adjustBudget applies deltas and never goes below zero", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1", { maxCost: 10_000_000, maxActions: 10 });
    await write(s, (tx) => tx.sessions.reserveBudget("s1", 3_000_000, 2, 2000));
    expect(await write(s, (tx) => tx.sessions.adjustBudget("s1", -1_000_000, 0, 3000))).toMatchObject({
      usedCost: 2_000_000,
      usedActions: 2,
      updatedAt: 3000,
    });
    expect(await write(s, (tx) => tx.sessions.adjustBudget("s1", -5_000_000, -7, 4000))).toMatchObject({
      usedCost: 0,
      usedActions: 0,
    });
    // Unguarded: may exceed the limit (reconciling an actual cost above the reservation).
    expect(await write(s, (tx) => tx.sessions.adjustBudget("s1", 12_000_000, 1, 5000))).toMatchObject({
      usedCost: 12_000_000,
    });
    expect(await write(s, (tx) => tx.sessions.adjustBudget("nope", 1, 1, 1))).toBeUndefined();
  });

  it("list is newest first with status/agent filters, limit and offset; countByStatus counts all", async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      for (const i of range(6)) {
        await tx.sessions.insert(
          sessionRecord(`s${i}`, {
            createdAt: 1000 + i,
            status: i % 2 === 0 ? "active" : "paused",
            agentId: i < 3 ? "a" : "b",
          }),
        );
      }
    });
    const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);
    expect(ids(await s.read((tx) => tx.sessions.list({ limit: 10 })))).toEqual([
      "s5",
      "s4",
      "s3",
      "s2",
      "s1",
      "s0",
    ]);
    expect(ids(await s.read((tx) => tx.sessions.list({ limit: 2, offset: 1 })))).toEqual(["s4", "s3"]);
    expect(ids(await s.read((tx) => tx.sessions.list({ statuses: ["active"], limit: 10 })))).toEqual([
      "s4",
      "s2",
      "s0",
    ]);
    expect(
      ids(await s.read((tx) => tx.sessions.list({ agentId: "a", statuses: ["paused"], limit: 10 }))),
    ).toEqual(["s1"]);
    expect(await s.read((tx) => tx.sessions.list({ statuses: [], limit: 10 }))).toEqual([]);
    expect(await s.read((tx) => tx.sessions.countByStatus())).toEqual({
      created: 0,
      active: 3,
      paused: 3,
      completed: 0,
      aborted: 0,
    });
  });

  it("budgetUsed sums the used counters of every session (zero when there is none)", async () => {
    const s = ctx.storage();
    expect(await s.read((tx) => tx.sessions.budgetUsed())).toEqual({ cost: 0, actions: 0 });
    await write(s, async (tx) => {
      await tx.sessions.insert(sessionRecord("s1", { usedCost: 1_500_000, usedActions: 2 }));
      await tx.sessions.insert(
        sessionRecord("s2", { status: "completed", usedCost: 250_000, usedActions: 1 }),
      );
      await tx.sessions.insert(sessionRecord("s3"));
    });
    await write(s, (tx) => tx.sessions.reserveBudget("s3", 1, 1, 2000));
    expect(await s.read((tx) => tx.sessions.budgetUsed())).toEqual({ cost: 1_750_001, actions: 4 });
  });
}
