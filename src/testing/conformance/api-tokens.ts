import { expect, it } from "vitest";
import type { StoredApiToken } from "../../storage/api-token-store.js";
import { type ConformanceContext, Rollback, range, write } from "./fixtures.js";

/** A stored API token with sensible defaults (the hash is 64 hex digits derived from the id). */
export function storedApiToken(id: string, patch: Partial<StoredApiToken> = {}): StoredApiToken {
  const hex = Buffer.from(id).toString("hex");
  return {
    id,
    hash: (hex + "0".repeat(64)).slice(0, 64),
    name: `token-${id}`,
    role: "operator",
    agentId: null,
    createdAt: 1000,
    expiresAt: null,
    revokedAt: null,
    createdBy: "root",
    ...patch,
  };
}

/** Stored API tokens: insert, lookups, guarded revoke, active count, insert-if-none-active. */
export function apiTokenCases(ctx: ConformanceContext): void {
  it("inserts, finds by hash and id, lists oldest first then in insertion order; duplicates conflict", async () => {
    const s = ctx.storage();
    const a = storedApiToken("a", { createdAt: 2000, role: "agent", agentId: "agent-1", createdBy: null });
    const b = storedApiToken("b", { createdAt: 1000, expiresAt: 9000 });
    const c = storedApiToken("c", { createdAt: 2000, role: "admin" });
    await write(s, async (tx) => {
      await tx.apiTokens.insert(c);
      await tx.apiTokens.insert(b);
      await tx.apiTokens.insert(a);
    });
    expect(await s.read((tx) => tx.apiTokens.findByHash(a.hash))).toEqual(a);
    expect(await s.read((tx) => tx.apiTokens.findByHash("f".repeat(64)))).toBeUndefined();
    expect(await s.read((tx) => tx.apiTokens.get("b"))).toEqual(b);
    expect(await s.read((tx) => tx.apiTokens.get("zz"))).toBeUndefined();
    // Same createdAt: insertion order (c before a), not id order.
    expect(await s.read((tx) => tx.apiTokens.list())).toEqual([b, c, a]);
    await expect(
      write(s, (tx) => tx.apiTokens.insert(storedApiToken("a", { hash: "e".repeat(64) }))),
    ).rejects.toMatchObject({ code: "conflict" });
    await expect(
      write(s, (tx) => tx.apiTokens.insert(storedApiToken("d", { hash: a.hash }))),
    ).rejects.toMatchObject({ code: "conflict" });
    expect(await s.read((tx) => tx.apiTokens.list())).toHaveLength(3);
  });

  it("revoke is guarded: only an unrevoked token, the first revocation time is kept", async () => {
    const s = ctx.storage();
    await write(s, (tx) => tx.apiTokens.insert(storedApiToken("a")));
    const revoked = await write(s, (tx) => tx.apiTokens.revoke("a", 5000));
    expect(revoked).toEqual(storedApiToken("a", { revokedAt: 5000 }));
    expect(await write(s, (tx) => tx.apiTokens.revoke("a", 6000))).toBeUndefined();
    expect(await write(s, (tx) => tx.apiTokens.revoke("missing", 6000))).toBeUndefined();
    expect((await s.read((tx) => tx.apiTokens.findByHash(revoked!.hash)))?.revokedAt).toBe(5000);
  });

  it("a rolled-back insert or revoke leaves nothing behind", async () => {
    const s = ctx.storage();
    await write(s, (tx) => tx.apiTokens.insert(storedApiToken("a")));
    await expect(
      write(s, async (tx) => {
        await tx.apiTokens.insert(storedApiToken("b"));
        await tx.apiTokens.revoke("a", 5000);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(await s.read((tx) => tx.apiTokens.list())).toEqual([storedApiToken("a")]);
  });

  it("countActive counts unrevoked tokens not yet expired at now (expiry is exclusive)", async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.apiTokens.insert(storedApiToken("forever"));
      await tx.apiTokens.insert(storedApiToken("until-5000", { expiresAt: 5000 }));
      await tx.apiTokens.insert(storedApiToken("revoked", { revokedAt: 1500 }));
    });
    expect(await s.read((tx) => tx.apiTokens.countActive(4999))).toBe(2);
    expect(await s.read((tx) => tx.apiTokens.countActive(5000))).toBe(1);
    await write(s, (tx) => tx.apiTokens.revoke("forever", 6000));
    expect(await s.read((tx) => tx.apiTokens.countActive(6000))).toBe(0);
  });

  it("insertIfNoneActive inserts only while no token is active", async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.apiTokens.insert(storedApiToken("old", { expiresAt: 2000 }));
      await tx.apiTokens.insert(storedApiToken("gone", { revokedAt: 1500 }));
    });
    expect(await write(s, (tx) => tx.apiTokens.insertIfNoneActive(storedApiToken("first"), 2000))).toBe(true);
    expect(await write(s, (tx) => tx.apiTokens.insertIfNoneActive(storedApiToken("second"), 2000))).toBe(
      false,
    );
    expect((await s.read((tx) => tx.apiTokens.list())).map((t) => t.id)).toEqual(["old", "gone", "first"]);
  });

  it("insertIfNoneActive waits for a concurrent uncommitted first insert and then refuses", async () => {
    const s = ctx.storage();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted!: () => void;
    const firstDone = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const first = write(s, async (tx) => {
      const r = await tx.apiTokens.insertIfNoneActive(storedApiToken("first"), 1000);
      inserted();
      await gate; // keep the transaction open, its insert uncommitted
      return r;
    });
    await firstDone;
    const second = write(s, (tx) => tx.apiTokens.insertIfNoneActive(storedApiToken("second"), 1000));
    // Give an unguarded adapter time to let the second one through while the first is uncommitted: a correct
    // adapter makes it wait, so this pause only decides whether a broken one is caught.
    await Promise.race([second, new Promise((resolve) => setTimeout(resolve, 200))]);
    release();
    expect([await first, await second]).toEqual([true, false]);
    expect((await s.read((tx) => tx.apiTokens.list())).map((t) => t.id)).toEqual(["first"]);
  });

  it("of concurrent insertIfNoneActive callers exactly one inserts", async () => {
    const s = ctx.storage();
    const results = await Promise.all(
      range(ctx.concurrency).map((i) =>
        write(s, (tx) => tx.apiTokens.insertIfNoneActive(storedApiToken(`t${i}`), 1000)),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await s.read((tx) => tx.apiTokens.countActive(1000))).toBe(1);
  });
}
