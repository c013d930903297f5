import { expect, it } from "vitest";
import type { NewOutboxDelivery } from "../../storage/outbox-store.js";
import { type ConformanceContext, Rollback, range, write } from "./fixtures.js";

/** A delivery to enqueue, with sensible defaults. */
export function newDelivery(id: string, patch: Partial<NewOutboxDelivery> = {}): NewOutboxDelivery {
  return {
    id,
    webhook: "ops",
    eventId: 1,
    eventKind: "approval_requested",
    body: { type: "ticket.pending", nested: { n: 1 } },
    createdAt: 1000,
    ...patch,
  };
}

/** The notification outbox: idempotent enqueue, cursor compare-and-set, claim with lease, guarded settle. */
export function outboxCases(ctx: ConformanceContext): void {
  it("enqueues once per (webhook, event); a duplicate id of another pair conflicts; lists oldest first", async () => {
    const s = ctx.storage();
    const a = newDelivery("d-a", { eventId: 7, createdAt: 2000 });
    const b = newDelivery("d-b", { eventId: 7, webhook: "slack", createdAt: 1000 });
    expect(await write(s, (tx) => tx.outbox.enqueue(a))).toBe(true);
    expect(await write(s, (tx) => tx.outbox.enqueue(b))).toBe(true);
    expect(await write(s, (tx) => tx.outbox.enqueue(newDelivery("d-c", { eventId: 7 })))).toBe(false);
    await expect(
      write(s, (tx) => tx.outbox.enqueue(newDelivery("d-a", { eventId: 8 }))),
    ).rejects.toMatchObject({ code: "conflict" });
    expect(await s.read((tx) => tx.outbox.get("d-a"))).toEqual({
      ...a,
      status: "pending",
      attempts: 0,
      nextAttemptAt: 2000,
      leaseOwner: null,
      leaseExpiresAt: null,
      lastError: null,
      updatedAt: 2000,
    });
    expect(await s.read((tx) => tx.outbox.get("d-c"))).toBeUndefined();
    const all = await s.read((tx) => tx.outbox.list({ limit: 10 }));
    expect(all.map((d) => d.id)).toEqual(["d-b", "d-a"]);
    expect((await s.read((tx) => tx.outbox.list({ webhook: "ops", limit: 10 }))).map((d) => d.id)).toEqual([
      "d-a",
    ]);
    expect(await s.read((tx) => tx.outbox.list({ statuses: ["dead"], limit: 10 }))).toEqual([]);
    expect(await s.read((tx) => tx.outbox.list({ limit: 1 }))).toHaveLength(1);
  });

  it("the cursor moves only from where it is; a rolled-back move and enqueue leave nothing", async () => {
    const s = ctx.storage();
    expect(await s.read((tx) => tx.outbox.cursor("webhooks"))).toBeUndefined();
    expect(await write(s, (tx) => tx.outbox.moveCursor("webhooks", undefined, 5, 1000))).toBe(true);
    expect(await write(s, (tx) => tx.outbox.moveCursor("webhooks", undefined, 9, 1000))).toBe(false);
    expect(await write(s, (tx) => tx.outbox.moveCursor("webhooks", 4, 9, 1000))).toBe(false);
    expect(await s.read((tx) => tx.outbox.cursor("webhooks"))).toBe(5);
    await expect(
      write(s, async (tx) => {
        await tx.outbox.enqueue(newDelivery("d-1", { eventId: 6 }));
        expect(await tx.outbox.moveCursor("webhooks", 5, 6, 1000)).toBe(true);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(await s.read((tx) => tx.outbox.cursor("webhooks"))).toBe(5);
    expect(await s.read((tx) => tx.outbox.get("d-1"))).toBeUndefined();
    expect(await write(s, (tx) => tx.outbox.moveCursor("webhooks", 5, 6, 1000))).toBe(true);
    expect(await s.read((tx) => tx.outbox.cursor("webhooks"))).toBe(6);
    expect(await s.read((tx) => tx.outbox.cursor("other"))).toBeUndefined();
  });

  it("claims due, free deliveries oldest due first with a lease and an attempt; settle needs the lease", async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.outbox.enqueue(newDelivery("late", { eventId: 1, createdAt: 3000 }));
      await tx.outbox.enqueue(newDelivery("early", { eventId: 2, createdAt: 1000 }));
      await tx.outbox.enqueue(newDelivery("future", { eventId: 3, createdAt: 9000 }));
    });
    const claimed = await write(s, (tx) =>
      tx.outbox.claim({ webhooks: ["ops"], owner: "w1", now: 5000, leaseUntil: 6000, limit: 10 }),
    );
    expect(claimed.map((d) => [d.id, d.attempts, d.leaseOwner, d.leaseExpiresAt])).toEqual([
      ["early", 1, "w1", 6000],
      ["late", 1, "w1", 6000],
    ]);
    // Held: nobody else gets them until the lease lapses.
    expect(
      await write(s, (tx) =>
        tx.outbox.claim({ webhooks: ["ops"], owner: "w2", now: 5999, leaseUntil: 7000, limit: 10 }),
      ),
    ).toEqual([]);
    // Only the holder settles.
    const failure = { status: "pending", nextAttemptAt: 8000, lastError: "HTTP 500", now: 5500 } as const;
    expect(await write(s, (tx) => tx.outbox.settle("early", "w2", failure))).toBeUndefined();
    const retried = await write(s, (tx) => tx.outbox.settle("early", "w1", failure));
    expect(retried).toMatchObject({
      status: "pending",
      attempts: 1,
      nextAttemptAt: 8000,
      lastError: "HTTP 500",
    });
    expect(retried).toMatchObject({ leaseOwner: null, leaseExpiresAt: null, updatedAt: 5500 });
    // The lapsed lease of "late" is taken over at 6000; "early" is not due before 8000.
    const takeover = await write(s, (tx) =>
      tx.outbox.claim({ webhooks: ["ops"], owner: "w2", now: 6000, leaseUntil: 7000, limit: 10 }),
    );
    expect(takeover.map((d) => [d.id, d.attempts, d.leaseOwner])).toEqual([["late", 2, "w2"]]);
    const done = { status: "delivered", nextAttemptAt: 6100, lastError: null, now: 6100 } as const;
    expect(await write(s, (tx) => tx.outbox.settle("late", "w1", done))).toBeUndefined();
    expect(await write(s, (tx) => tx.outbox.settle("late", "w2", done))).toMatchObject({
      status: "delivered",
    });
    expect(await write(s, (tx) => tx.outbox.settle("late", "w2", done))).toBeUndefined();
    const at9000 = await write(s, (tx) =>
      tx.outbox.claim({ webhooks: ["ops"], owner: "w3", now: 9000, leaseUntil: 9500, limit: 1 }),
    );
    expect(at9000.map((d) => d.id)).toEqual(["early"]);
    const dead = { status: "dead", nextAttemptAt: 9100, lastError: "HTTP 410", now: 9100 } as const;
    expect(await write(s, (tx) => tx.outbox.settle("early", "w3", dead))).toMatchObject({ attempts: 2 });
    await write(s, (tx) => tx.outbox.enqueue(newDelivery("elsewhere", { webhook: "slack", eventId: 3 })));
    const rest = await write(s, (tx) =>
      tx.outbox.claim({ webhooks: ["ops"], owner: "w3", now: 99_999, leaseUntil: 100_000, limit: 10 }),
    );
    expect(rest.map((d) => d.id)).toEqual(["future"]);
    expect(
      (await s.read((tx) => tx.outbox.list({ statuses: ["delivered", "dead"], limit: 10 }))).map((d) => d.id),
    ).toEqual(["early", "late"]);
  });

  it("prunes only finished deliveries updated before the limit, oldest first; the pair can then be enqueued again", async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      for (const i of range(4))
        await tx.outbox.enqueue(newDelivery(`d-${i}`, { eventId: i + 1, createdAt: 1000 }));
    });
    await write(s, (tx) =>
      tx.outbox.claim({ webhooks: ["ops"], owner: "w", now: 1000, leaseUntil: 5000, limit: 10 }),
    );
    const settle = (id: string, status: "delivered" | "dead" | "pending", at: number) =>
      write(s, (tx) => tx.outbox.settle(id, "w", { status, nextAttemptAt: at, lastError: null, now: at }));
    await settle("d-0", "delivered", 3000);
    await settle("d-1", "dead", 2000);
    await settle("d-2", "pending", 1500);
    await settle("d-3", "delivered", 4000);
    expect(await write(s, (tx) => tx.outbox.prune(3500, 1))).toBe(1);
    expect((await s.read((tx) => tx.outbox.list({ limit: 10 }))).map((d) => d.id)).toEqual([
      "d-0",
      "d-2",
      "d-3",
    ]);
    expect(await write(s, (tx) => tx.outbox.prune(3500, 10))).toBe(1);
    expect((await s.read((tx) => tx.outbox.list({ limit: 10 }))).map((d) => d.id)).toEqual(["d-2", "d-3"]);
    expect(await write(s, (tx) => tx.outbox.enqueue(newDelivery("again", { eventId: 1 })))).toBe(true);
  });

  it("concurrent claimers never take the same delivery; concurrent enqueues of one pair insert once", async () => {
    const s = ctx.storage();
    const n = Math.min(ctx.concurrency, 16);
    await write(s, async (tx) => {
      for (const i of range(n)) await tx.outbox.enqueue(newDelivery(`d-${i}`, { eventId: i + 1 }));
    });
    const claims = await Promise.all(
      range(n * 2).map((i) =>
        write(s, (tx) =>
          tx.outbox.claim({ webhooks: ["ops"], owner: `w${i}`, now: 5000, leaseUntil: 9000, limit: 1 }),
        ),
      ),
    );
    const ids = claims.flat().map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(n);
    const inserted = await Promise.all(
      range(n).map((i) =>
        write(s, (tx) => tx.outbox.enqueue(newDelivery(`dup-${i}`, { webhook: "dup", eventId: 42 }))),
      ),
    );
    expect(inserted.filter(Boolean)).toHaveLength(1);
    const moved = await Promise.all(
      range(n).map(() => write(s, (tx) => tx.outbox.moveCursor("race", undefined, 1, 1000))),
    );
    expect(moved.filter(Boolean)).toHaveLength(1);
  });
}
