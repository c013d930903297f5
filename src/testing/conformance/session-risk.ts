import { expect, it } from "vitest";
import type { SessionRiskState } from "../../types/session-risk.js";
import { type ConformanceContext, range, seedSession, write } from "./fixtures.js";

const state = (score: number): SessionRiskState => ({
  score,
  actionCount: score,
  recentActions: ["read_database", "send_email"],
  detectedPatterns: ["exfiltration"],
  level: "high",
});

/** Session risk states: stored per session, replaced, rolled back, and read-for-update without lost updates. */
export function sessionRiskCases(ctx: ConformanceContext): void {
  it("has nothing for a new session, even after a lock; stores and replaces the state", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    expect(await s.read((tx) => tx.sessionRisk.get("s1"))).toBeUndefined();
    expect(await write(s, (tx) => tx.sessionRisk.lock("s1", 1000))).toBeUndefined();
    expect(await s.read((tx) => tx.sessionRisk.get("s1"))).toBeUndefined();
    await write(s, async (tx) => {
      expect(await tx.sessionRisk.lock("s1", 1000)).toBeUndefined();
      await tx.sessionRisk.put("s1", state(3), 1000);
    });
    expect(await s.read((tx) => tx.sessionRisk.get("s1"))).toEqual({
      sessionId: "s1",
      state: state(3),
      updatedAt: 1000,
    });
    await write(s, async (tx) => {
      expect(await tx.sessionRisk.lock("s1", 2000)).toEqual(state(3));
      await tx.sessionRisk.put("s1", state(4), 2000);
    });
    expect(await s.read((tx) => tx.sessionRisk.get("s1"))).toMatchObject({
      state: state(4),
      updatedAt: 2000,
    });
  });

  it("rolls back with the transaction", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await write(s, (tx) => tx.sessionRisk.put("s1", state(1), 1000));
    await expect(
      write(s, async (tx) => {
        await tx.sessionRisk.put("s1", state(9), 2000);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect((await s.read((tx) => tx.sessionRisk.get("s1")))?.state).toEqual(state(1));
  });

  it("serialises concurrent read-for-update transactions on one session (no lost update)", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await Promise.all(
      range(ctx.concurrency).map(() =>
        write(s, async (tx) => {
          const current = (await tx.sessionRisk.lock("s1", 1000))?.score ?? 0;
          await tx.sessionRisk.put("s1", state(current + 1), 1000);
        }),
      ),
    );
    expect((await s.read((tx) => tx.sessionRisk.get("s1")))?.state.score).toBe(ctx.concurrency);
  });
}
