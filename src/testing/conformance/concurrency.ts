import { expect, it } from "vitest";
import type { Storage, StorageTx } from "../../storage/storage.js";
import {
  approveWithScope,
  type ConformanceContext,
  range,
  seedSession,
  seedTicket,
  sessionScope,
  write,
  yieldTurns,
} from "./fixtures.js";

/** Starts `n` transactions at once; each yields between its steps so that they interleave where possible. */
async function race<T>(s: Storage, n: number, fn: (tx: StorageTx, i: number) => Promise<T>) {
  return Promise.all(
    range(n).map(async (i) => {
      await yieldTurns(i % 3);
      return write(s, (tx) => fn(tx, i));
    }),
  );
}

/** Concurrent callers on one storage: the guarded primitives hold. */
export function concurrencyCases(ctx: ConformanceContext): void {
  it("N concurrent budget reservations: exactly the limit succeeds", async () => {
    const s = ctx.storage();
    const limit = Math.floor(ctx.concurrency / 2);
    await seedSession(s, "s1", { maxActions: limit, maxCost: limit * 1_000 });
    const results = await race(s, ctx.concurrency, async (tx) => {
      const r = await tx.sessions.reserveBudget("s1", 1_000, 1, 2000);
      if (r) await tx.events.append({ sessionId: "s1", kind: "proposal_decided", payload: {}, at: 2000 });
      return r !== undefined;
    });
    expect(results.filter(Boolean)).toHaveLength(limit);
    const session = await s.read((tx) => tx.sessions.get("s1"));
    expect(session).toMatchObject({ usedActions: limit, usedCost: limit * 1_000, lastSeq: limit });
  });

  it("N concurrent appends to one session get seq 1..N exactly once", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    const seqs = await race(s, ctx.concurrency, async (tx, i) => {
      const a = await tx.events.append({ sessionId: "s1", kind: "proposal_decided", payload: { i }, at: i });
      await yieldTurns(1);
      const b = await tx.events.append({
        sessionId: "s1",
        kind: "execution_completed",
        payload: { i },
        at: i,
      });
      expect(b.seq).toBe(a.seq! + 1);
      return [a.seq, b.seq];
    });
    expect(
      seqs
        .flat()
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(range(2 * ctx.concurrency).map((i) => i + 1));
    const listed = await s.read((tx) => tx.events.list("s1", { limit: 10_000 }));
    expect(listed.map((e) => e.seq)).toEqual(range(2 * ctx.concurrency).map((i) => i + 1));
  });

  it("concurrent lease acquirers: exactly one wins", async () => {
    const s = ctx.storage();
    const won = await race(s, ctx.concurrency, (tx, i) =>
      tx.leases.acquire(
        {
          key: "cycle",
          owner: `o${i}`,
          expiresAt: 10_000,
          sessionId: null,
          proposalId: null,
          acquiredAt: 1000,
        },
        1000,
      ),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = won.indexOf(true);
    expect(await s.read((tx) => tx.leases.get("cycle"))).toMatchObject({ owner: `o${winner}` });
  });

  it("concurrent releaseExpired and escalate: exactly one wins each", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedTicket(s, "t1", "s1");
    await write(s, (tx) =>
      tx.leases.acquire(
        { key: "dead", owner: "o", expiresAt: 1000, sessionId: null, proposalId: null, acquiredAt: 1 },
        1,
      ),
    );
    const released = await race(s, ctx.concurrency, (tx) => tx.leases.releaseExpired("dead", "o", 1000));
    expect(released.filter(Boolean)).toHaveLength(1);
    const escalated = await race(s, ctx.concurrency, (tx, i) => tx.tickets.escalate("t1", 0, 9000 + i));
    expect(escalated.filter((t) => t !== undefined)).toHaveLength(1);
    expect((await s.read((tx) => tx.tickets.get("t1")))?.escalationLevel).toBe(1);
  });

  it("concurrent decide(): exactly one wins", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedTicket(s, "t1", "s1");
    const decided = await race(s, ctx.concurrency, (tx, i) =>
      tx.tickets.decide("t1", {
        status: i % 2 === 0 ? "approved" : "denied",
        decidedBy: `op${i}`,
        reason: null,
        scope: null,
        decidedAt: 2000 + i,
      }),
    );
    const winners = decided.filter((d) => d !== undefined);
    expect(winners).toHaveLength(1);
    expect(await s.read((tx) => tx.tickets.get("t1"))).toEqual(winners[0]);
  });

  it("concurrent consumeScope on remaining = k: exactly k succeed", async () => {
    const s = ctx.storage();
    const k = Math.max(1, Math.floor(ctx.concurrency / 3));
    await seedSession(s, "s1");
    await seedTicket(s, "t1", "s1");
    await approveWithScope(s, "t1", sessionScope({ remaining: k }));
    const got = await race(s, ctx.concurrency, (tx) =>
      tx.tickets.consumeScope({ sessionId: "s1", action: "a", resourceId: null, cost: 0, now: 3000 }),
    );
    const taken = got.filter((t) => t !== undefined);
    expect(taken).toHaveLength(k);
    expect(taken.map((t) => t.scope?.remaining).sort((a, b) => Number(a) - Number(b))).toEqual(range(k));
    expect((await s.read((tx) => tx.tickets.get("t1")))?.scope?.remaining).toBe(0);
  });
}
