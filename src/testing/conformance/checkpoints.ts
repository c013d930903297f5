import { expect, it } from "vitest";
import type { StoredCheckpoint } from "../../storage/checkpoint-store.js";
import { type ConformanceContext, Rollback, range, write } from "./fixtures.js";

/** A stored checkpoint of `size` (the fields are opaque to the store). */
function checkpoint(size: number, patch: Partial<StoredCheckpoint> = {}): StoredCheckpoint {
  return {
    size,
    lastEventId: size * 2,
    rootHash: Buffer.alloc(32, size).toString("base64"),
    frontier: [Buffer.alloc(32, size).toString("base64")],
    note: `origin\n${size}\nroot\n\n\u2014 origin sig\n`,
    createdAt: 1000 + size,
    ...patch,
  };
}

/** Audit checkpoints: one per tree size, the first kept; latest and ascending lists. */
export function checkpointCases(ctx: ConformanceContext): void {
  it("stores each size once (the first kept), reads the latest and lists ascending after a size", async () => {
    const s = ctx.storage();
    expect(await s.read((tx) => tx.checkpoints.latest())).toBeUndefined();
    expect(await write(s, (tx) => tx.checkpoints.insert(checkpoint(5)))).toBe(true);
    expect(await write(s, (tx) => tx.checkpoints.insert(checkpoint(12)))).toBe(true);
    expect(await write(s, (tx) => tx.checkpoints.insert(checkpoint(3)))).toBe(true);
    expect(await write(s, (tx) => tx.checkpoints.insert(checkpoint(5, { note: "other" })))).toBe(false);
    expect(await s.read((tx) => tx.checkpoints.latest())).toEqual(checkpoint(12));
    const all = await s.read((tx) => tx.checkpoints.list({ limit: 10 }));
    expect(all).toEqual([checkpoint(3), checkpoint(5), checkpoint(12)]);
    expect(await s.read((tx) => tx.checkpoints.list({ afterSize: 3, limit: 1 }))).toEqual([checkpoint(5)]);
  });

  it("a rolled-back insert leaves nothing", async () => {
    const s = ctx.storage();
    await expect(
      write(s, async (tx) => {
        await tx.checkpoints.insert(checkpoint(7));
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(await s.read((tx) => tx.checkpoints.latest())).toBeUndefined();
  });

  it("of concurrent inserts of one size exactly one stores it", async () => {
    const s = ctx.storage();
    const results = await Promise.all(
      range(ctx.concurrency).map((i) =>
        write(s, (tx) => tx.checkpoints.insert(checkpoint(9, { note: `sealer ${i}` }))),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await s.read((tx) => tx.checkpoints.list({ limit: 10 }));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.note).toBe(`sealer ${results.indexOf(true)}`);
  });
}
