import { expect, it } from "vitest";
import type { ChangeNotice } from "../../storage/storage.js";
import {
  type ConformanceContext,
  proposalRecord,
  Rollback,
  range,
  seedSession,
  sessionRecord,
  write,
  yieldTurns,
} from "./fixtures.js";

/** Transactions: rollback, isolation of concurrent transactions, notices, committed reads. */
export function transactionCases(ctx: ConformanceContext): void {
  it("rolls back every write of a failed transaction, including events and seq counters", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1", { maxActions: 10 });
    await expect(
      write(s, async (tx) => {
        await tx.sessions.insert(sessionRecord("s2"));
        await tx.sessions.reserveBudget("s1", 5, 3, 2000);
        await tx.events.append({ sessionId: "s1", kind: "proposal_decided", payload: {}, at: 2000 });
        await tx.events.append({ sessionId: null, kind: "kill_switch_engaged", payload: {}, at: 2000 });
        await tx.proposals.insert(proposalRecord("p1", "s1"));
        await tx.killSwitches.engage("global", "", "x", 2000);
        await tx.leases.acquire(
          { key: "k", owner: "o", expiresAt: 9000, sessionId: "s1", proposalId: null, acquiredAt: 2000 },
          2000,
        );
        await tx.idempotency.put({
          key: "i1",
          operation: "op",
          fingerprint: "f",
          result: { a: 1 },
          createdAt: 2000,
        });
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    await s.read(async (tx) => {
      expect(await tx.sessions.get("s2")).toBeUndefined();
      const s1 = await tx.sessions.get("s1");
      expect(s1).toMatchObject({ usedCost: 0, usedActions: 0, lastSeq: 0 });
      expect(await tx.events.list("s1", { limit: 10 })).toEqual([]);
      expect(await tx.events.feed({ limit: 10 })).toEqual([]);
      expect(await tx.proposals.get("p1")).toBeUndefined();
      expect(await tx.killSwitches.findEngaged("s1", [])).toBeUndefined();
      expect(await tx.leases.get("k")).toBeUndefined();
      expect(await tx.idempotency.get("i1")).toBeUndefined();
    });
    const e = await write(s, (tx) =>
      tx.events.append({ sessionId: "s1", kind: "proposal_decided", payload: {}, at: 1 }),
    );
    expect(e.seq).toBe(1);
  });

  it("resolves with the function's value and keeps its writes", async () => {
    const s = ctx.storage();
    const value = await write(s, async (tx) => {
      await tx.sessions.insert(sessionRecord("s1"));
      return { ok: 42 };
    });
    expect(value).toEqual({ ok: 42 });
    expect(await s.read((tx) => tx.sessions.get("s1"))).toMatchObject({ id: "s1" });
  });

  it("isolates concurrent transactions: a failing one rolls back alone", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    const results = await Promise.allSettled(
      range(ctx.concurrency).map((i) =>
        write(s, async (tx) => {
          await tx.sessions.insert(sessionRecord(`c${i}`));
          await tx.events.append({ sessionId: "s1", kind: "proposal_decided", payload: { i }, at: i });
          await yieldTurns(1);
          if (i % 2 === 1) throw new Rollback();
          return i;
        }),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled").length;
    expect(ok).toBe(Math.ceil(ctx.concurrency / 2));
    await s.read(async (tx) => {
      for (const i of range(ctx.concurrency)) {
        const found = await tx.sessions.get(`c${i}`);
        if (i % 2 === 1) expect(found).toBeUndefined();
        else expect(found).toBeDefined();
      }
      const events = await tx.events.list("s1", { limit: 1000 });
      expect(events.map((e) => e.seq)).toEqual(range(ok).map((i) => i + 1));
      expect(events.every((e) => (e.payload.i as number) % 2 === 0)).toBe(true);
    });
  });

  it("delivers notices after commit only, and never for a rolled-back transaction", async () => {
    const s = ctx.storage();
    const seen: ChangeNotice[] = [];
    let arrived!: () => void;
    const second = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const stop = await s.subscribe((c) => {
      seen.push(c);
      if (c.id === "t2") arrived();
    });
    await write(s, async (tx) => {
      tx.notify({ topic: "ticket", id: "t1" });
      await tx.sessions.insert(sessionRecord("s1"));
      await yieldTurns(2);
      expect(seen).toEqual([]);
    });
    await expect(
      write(s, async (tx) => {
        tx.notify({ topic: "ticket", id: "rolled-back" });
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    await write(s, async (tx) => {
      tx.notify({ topic: "ticket", id: "t2" });
    });
    await second;
    expect(seen.map((c) => c.id)).toEqual(["t1", "t2"]);
    await stop();
    await write(s, async (tx) => {
      tx.notify({ topic: "session", id: "after-stop" });
    });
    await yieldTurns(3);
    expect(seen.map((c) => c.id)).not.toContain("after-stop");
  });

  it("read() sees committed data only", async () => {
    const s = ctx.storage();
    let reading: Promise<unknown> | undefined;
    await expect(
      write(s, async (tx) => {
        await tx.sessions.insert(sessionRecord("uncommitted"));
        reading = s.read((r) => r.sessions.get("uncommitted"));
        await yieldTurns(3);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(await reading).toBeUndefined();
    await write(s, (tx) => tx.sessions.insert(sessionRecord("committed")));
    expect(await s.read((tx) => tx.sessions.get("committed"))).toMatchObject({ id: "committed" });
  });
}
