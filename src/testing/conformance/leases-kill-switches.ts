import { expect, it } from "vitest";
import type { LeaseRecord } from "../../types/lease.js";
import { type ConformanceContext, write } from "./fixtures.js";

const lease = (owner: string, expiresAt: number, patch: Partial<LeaseRecord> = {}): LeaseRecord => ({
  key: "k1",
  owner,
  expiresAt,
  sessionId: "s1",
  proposalId: null,
  acquiredAt: 1000,
  ...patch,
});

/** Leases and kill switches. */
export function leaseAndKillSwitchCases(ctx: ConformanceContext): void {
  it("acquire: free → taken; held → refused; expired exactly at now → taken over", async () => {
    const s = ctx.storage();
    expect(await write(s, (tx) => tx.leases.acquire(lease("a", 2000), 1000))).toBe(true);
    expect(await s.read((tx) => tx.leases.get("k1"))).toEqual(lease("a", 2000));
    expect(await write(s, (tx) => tx.leases.acquire(lease("b", 3000, { acquiredAt: 1999 }), 1999))).toBe(
      false,
    );
    expect(await s.read((tx) => tx.leases.get("k1"))).toMatchObject({ owner: "a", expiresAt: 2000 });
    expect(await write(s, (tx) => tx.leases.acquire(lease("b", 3000, { acquiredAt: 2000 }), 2000))).toBe(
      true,
    );
    expect(await s.read((tx) => tx.leases.get("k1"))).toEqual(lease("b", 3000, { acquiredAt: 2000 }));
  });

  it("acquireDisplacing reports the expired holder it took over, and nothing otherwise", async () => {
    const s = ctx.storage();
    const held = lease("a", 2000, { proposalId: "pa" });
    expect(await write(s, (tx) => tx.leases.acquireDisplacing(held, 1000))).toEqual({
      acquired: true,
      displaced: undefined,
    });
    expect(await write(s, (tx) => tx.leases.acquireDisplacing(lease("a", 2500), 1500))).toEqual({
      acquired: true,
      displaced: undefined,
    });
    expect(await write(s, (tx) => tx.leases.acquireDisplacing(lease("b", 3000), 1999))).toEqual({
      acquired: false,
    });
    const next = lease("b", 4000, { acquiredAt: 2500, proposalId: "pb" });
    expect(await write(s, (tx) => tx.leases.acquireDisplacing(next, 2500))).toEqual({
      acquired: true,
      displaced: { ...held, expiresAt: 2500, proposalId: null },
    });
    expect(await s.read((tx) => tx.leases.get("k1"))).toEqual(next);
  });

  it("acquire by the same owner extends the lease and keeps acquiredAt", async () => {
    const s = ctx.storage();
    await write(s, (tx) => tx.leases.acquire(lease("a", 2000), 1000));
    expect(await write(s, (tx) => tx.leases.acquire(lease("a", 5000, { acquiredAt: 1500 }), 1500))).toBe(
      true,
    );
    expect(await s.read((tx) => tx.leases.get("k1"))).toMatchObject({
      owner: "a",
      expiresAt: 5000,
      acquiredAt: 1000,
    });
  });

  it("renew and release only by the owner; renew refuses an expired lease", async () => {
    const s = ctx.storage();
    await write(s, (tx) => tx.leases.acquire(lease("a", 2000), 1000));
    expect(await write(s, (tx) => tx.leases.renew("k1", "b", 9000, 1500))).toBe(false);
    expect(await write(s, (tx) => tx.leases.renew("k1", "a", 3000, 1500))).toBe(true);
    expect(await s.read((tx) => tx.leases.get("k1"))).toMatchObject({ expiresAt: 3000 });
    expect(await write(s, (tx) => tx.leases.renew("k1", "a", 9000, 3000))).toBe(false);
    expect(await write(s, (tx) => tx.leases.renew("missing", "a", 9000, 1))).toBe(false);
    expect(await write(s, (tx) => tx.leases.release("k1", "b"))).toBe(false);
    expect(await s.read((tx) => tx.leases.get("k1"))).toBeDefined();
    expect(await write(s, (tx) => tx.leases.release("k1", "a"))).toBe(true);
    expect(await s.read((tx) => tx.leases.get("k1"))).toBeUndefined();
    expect(await write(s, (tx) => tx.leases.release("k1", "a"))).toBe(false);
  });

  it("releaseExpired: only the owner, only once expired (exactly at now), never a renewed lease", async () => {
    const s = ctx.storage();
    await write(s, (tx) => tx.leases.acquire(lease("a", 2000), 1000));
    expect(await write(s, (tx) => tx.leases.releaseExpired("k1", "a", 1999))).toBe(false);
    expect(await write(s, (tx) => tx.leases.releaseExpired("k1", "b", 2000))).toBe(false);
    expect(await write(s, (tx) => tx.leases.renew("k1", "a", 4000, 1999))).toBe(true);
    expect(await write(s, (tx) => tx.leases.releaseExpired("k1", "a", 3000))).toBe(false);
    expect(await s.read((tx) => tx.leases.get("k1"))).toMatchObject({ owner: "a", expiresAt: 4000 });
    expect(await write(s, (tx) => tx.leases.releaseExpired("k1", "a", 4000))).toBe(true);
    expect(await s.read((tx) => tx.leases.get("k1"))).toBeUndefined();
    expect(await write(s, (tx) => tx.leases.releaseExpired("k1", "a", 4000))).toBe(false);
  });

  it("releaseForSession releases every lease of the session; listExpired by expiry", async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.leases.acquire(lease("a", 4000, { key: "x1" }), 1000);
      await tx.leases.acquire(lease("a", 2000, { key: "x2" }), 1000);
      await tx.leases.acquire(lease("a", 3000, { key: "y1", sessionId: "s2" }), 1000);
      await tx.leases.acquire(lease("a", 9000, { key: "z", sessionId: null }), 1000);
    });
    const keys = (rows: readonly LeaseRecord[]) => rows.map((r) => r.key);
    expect(keys(await s.read((tx) => tx.leases.listExpired(3000, 10)))).toEqual(["x2", "y1"]);
    expect(keys(await s.read((tx) => tx.leases.listExpired(5000, 2)))).toEqual(["x2", "y1"]);
    expect(await s.read((tx) => tx.leases.listExpired(1999, 10))).toEqual([]);
    expect(await write(s, (tx) => tx.leases.releaseForSession("s1"))).toBe(2);
    expect(await write(s, (tx) => tx.leases.releaseForSession("s1"))).toBe(0);
    expect(keys(await s.read((tx) => tx.leases.listExpired(10_000, 10)))).toEqual(["y1", "z"]);
  });

  it("countLive counts the live leases of a key prefix, taking the prefix literally", async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.leases.acquire(lease("a", 4000, { key: "cycle:s1" }), 1000);
      await tx.leases.acquire(lease("a", 2000, { key: "cycle:s2" }), 1000);
      await tx.leases.acquire(lease("a", 4000, { key: "lock:cycle:s3" }), 1000);
      await tx.leases.acquire(lease("a", 4000, { key: "cycleXs4" }), 1000);
      await tx.leases.acquire(lease("a", 4000, { key: "c%cle:s5" }), 1000);
    });
    expect(await s.read((tx) => tx.leases.countLive("cycle:", 1500))).toBe(2);
    expect(await s.read((tx) => tx.leases.countLive("cycle:", 2000))).toBe(1); // expiresAt <= now: not live
    expect(await s.read((tx) => tx.leases.countLive("cycle:", 4000))).toBe(0);
    expect(await s.read((tx) => tx.leases.countLive("c%cle:", 1500))).toBe(1);
    expect(await s.read((tx) => tx.leases.countLive("c_cle:", 1500))).toBe(0);
  });

  it("kill switch: engage twice → changed false; release; engage again", async () => {
    const s = ctx.storage();
    const first = await write(s, (tx) => tx.killSwitches.engage("agent", "a1", "rogue", 1000));
    expect(first).toEqual({
      changed: true,
      record: {
        scope: "agent",
        target: "a1",
        engaged: true,
        reason: "rogue",
        engagedBy: null,
        engagedAt: 1000,
        releasedAt: null,
      },
    });
    const second = await write(s, (tx) => tx.killSwitches.engage("agent", "a1", "again", 2000));
    expect(second.changed).toBe(false);
    expect(second.record).toMatchObject({ engaged: true, reason: "rogue", engagedAt: 1000 });
    const released = await write(s, (tx) => tx.killSwitches.release("agent", "a1", 3000));
    expect(released).toMatchObject({ engaged: false, releasedAt: 3000 });
    expect(await write(s, (tx) => tx.killSwitches.release("agent", "a1", 3500))).toBeUndefined();
    expect(await write(s, (tx) => tx.killSwitches.release("session", "never", 3500))).toBeUndefined();
    const again = await write(s, (tx) => tx.killSwitches.engage("agent", "a1", "third", 4000));
    expect(again).toMatchObject({
      changed: true,
      record: { engaged: true, reason: "third", releasedAt: null },
    });
    expect(await s.read((tx) => tx.killSwitches.list({}))).toHaveLength(1);
  });

  it("kill switch: engagedBy is stored, kept on re-engage, replaced after a release, read everywhere", async () => {
    const s = ctx.storage();
    const first = await write(s, (tx) => tx.killSwitches.engage("global", "", "halt", 1000, "olivia"));
    expect(first.record).toMatchObject({ engaged: true, engagedBy: "olivia" });
    const second = await write(s, (tx) => tx.killSwitches.engage("global", "", "again", 2000, "bob"));
    expect(second).toMatchObject({ changed: false, record: { reason: "halt", engagedBy: "olivia" } });
    expect(await s.read((tx) => tx.killSwitches.findEngaged("s1", []))).toMatchObject({
      engagedBy: "olivia",
    });
    expect(await write(s, (tx) => tx.killSwitches.release("global", "", 3000))).toMatchObject({
      engaged: false,
      engagedBy: "olivia",
    });
    const third = await write(s, (tx) => tx.killSwitches.engage("global", "", "third", 4000));
    expect(third.record.engagedBy).toBeNull();
    await write(s, (tx) => tx.killSwitches.engage("agent", "a1", "rogue", 5000, "olivia"));
    const listed = await s.read((tx) => tx.killSwitches.list({}));
    expect(listed.map((k) => [k.scope, k.engagedBy])).toEqual([
      ["global", null],
      ["agent", "olivia"],
    ]);
  });

  it("findEngaged: global before session before agent; released switches do not count", async () => {
    const s = ctx.storage();
    const find = (session: string, agents: string[]) =>
      s.read((tx) => tx.killSwitches.findEngaged(session, agents));
    expect(await find("s1", ["a1"])).toBeUndefined();
    await write(s, (tx) => tx.killSwitches.engage("agent", "a1", "agent", 1000));
    expect(await find("s1", ["a1"])).toMatchObject({ scope: "agent", target: "a1" });
    expect(await find("s1", ["a2"])).toBeUndefined();
    expect(await find("s1", [])).toBeUndefined();
    await write(s, (tx) => tx.killSwitches.engage("session", "s1", "session", 1000));
    expect(await find("s1", ["a1"])).toMatchObject({ scope: "session", target: "s1" });
    expect(await find("s2", ["a1"])).toMatchObject({ scope: "agent" });
    await write(s, (tx) => tx.killSwitches.engage("global", "", "global", 1000));
    expect(await find("s1", ["a1"])).toMatchObject({ scope: "global" });
    expect(await find("s9", [])).toMatchObject({ scope: "global" });
    await write(s, (tx) => tx.killSwitches.release("global", "", 2000));
    await write(s, (tx) => tx.killSwitches.release("session", "s1", 2000));
    expect(await find("s1", ["a1"])).toMatchObject({ scope: "agent" });
    const engaged = await s.read((tx) => tx.killSwitches.list({ engagedOnly: true }));
    expect(engaged.map((k) => k.scope)).toEqual(["agent"]);
    expect(await s.read((tx) => tx.killSwitches.list({}))).toHaveLength(3);
  });
}
