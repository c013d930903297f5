import { expect, it } from "vitest";
import type { TokenBudgetConfigRecord, TokenHoldRecord, TokenIdentity } from "../../types/token-budget.js";
import { type ConformanceContext, range, write } from "./fixtures.js";

const identity: TokenIdentity = { userId: null, orgId: "acme", teamId: null };

function budget(id: string, patch: Partial<TokenBudgetConfigRecord> = {}): TokenBudgetConfigRecord {
  return {
    id,
    identity,
    period: "daily",
    rollingMs: null,
    maxTokens: 1000,
    maxCostMicros: null,
    allowedModels: null,
    createdAt: 1000,
    ...patch,
  };
}

function hold(reservationId: string, configId: string, tokens: number, patch: Partial<TokenHoldRecord> = {}) {
  const h: TokenHoldRecord = {
    reservationId,
    configId,
    rolling: false,
    windowStart: 0,
    windowEnd: 86_400_000,
    tokens,
    costMicros: tokens,
    state: "held",
    createdAt: 1000,
    ...patch,
  };
  return { hold: h, maxTokens: 1000, maxCostMicros: null, rollingSince: null };
}

/** Token budgets: subset matching, reserve-if-within-limit (also under concurrency), settle at most once. */
export function tokenBudgetCases(ctx: ConformanceContext): void {
  it("matches configs by the subset rule and round-trips them", async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.tokenBudgets.insertConfig(budget("b1", { allowedModels: ["m1"], maxCostMicros: 5 }));
      await tx.tokenBudgets.insertConfig(
        budget("b2", { identity: { userId: "u", orgId: "acme", teamId: null } }),
      );
      await tx.tokenBudgets.insertConfig(
        budget("b3", { identity: { userId: null, orgId: null, teamId: null } }),
      );
    });
    await expect(write(s, (tx) => tx.tokenBudgets.insertConfig(budget("b1")))).rejects.toMatchObject({
      code: "conflict",
    });
    const ids = async (i: TokenIdentity) =>
      (await s.read((tx) => tx.tokenBudgets.matching(i))).map((c) => c.id).sort();
    expect(await ids(identity)).toEqual(["b1", "b3"]);
    expect(await ids({ userId: "u", orgId: "acme", teamId: "t" })).toEqual(["b1", "b2", "b3"]);
    expect(await ids({ userId: "u", orgId: null, teamId: null })).toEqual(["b3"]);
    expect(await s.read((tx) => tx.tokenBudgets.getConfig("b1"))).toEqual(
      budget("b1", { allowedModels: ["m1"], maxCostMicros: 5 }),
    );
  });

  it("holds only within the limit, releases, and settles a reservation at most once", async () => {
    const s = ctx.storage();
    await write(s, (tx) => tx.tokenBudgets.insertConfig(budget("b1")));
    expect(await write(s, (tx) => tx.tokenBudgets.hold(hold("r1", "b1", 600)))).toBe(true);
    expect(await write(s, (tx) => tx.tokenBudgets.hold(hold("r2", "b1", 401)))).toBe(false);
    expect(await write(s, (tx) => tx.tokenBudgets.hold(hold("r2", "b1", 400)))).toBe(true);
    expect(await s.read((tx) => tx.tokenBudgets.window("b1", 0))).toMatchObject({
      reservedTokens: 1000,
      usedTokens: 0,
    });
    await write(s, (tx) => tx.tokenBudgets.release(hold("r2", "b1", 400).hold));
    await write(s, (tx) =>
      tx.tokenBudgets.insertReservation({
        id: "r1",
        sessionId: "s1",
        model: "m1",
        identity,
        tokens: 600,
        costMicros: 600,
        status: "held",
        createdAt: 1000,
        expiresAt: 5000,
      }),
    );
    expect(await s.read((tx) => tx.tokenBudgets.listExpired(4999, 10))).toEqual([]);
    expect(await s.read((tx) => tx.tokenBudgets.listExpired(5000, 10))).toEqual(["r1"]);
    const done = await write(s, (tx) => tx.tokenBudgets.finishReservation("r1", ["held"], "settled"));
    expect(done?.reservation.status).toBe("settled");
    expect(done?.holds.map((h) => h.configId)).toEqual(["b1"]);
    expect(
      await write(s, (tx) => tx.tokenBudgets.finishReservation("r1", ["held"], "settled")),
    ).toBeUndefined();
    const change = await write(s, (tx) => tx.tokenBudgets.charge(done!.holds[0]!, 1500, 7));
    expect(change).toEqual({ beforeTokens: 0, beforeCostMicros: 0, afterTokens: 1500, afterCostMicros: 7 });
    expect(await s.read((tx) => tx.tokenBudgets.window("b1", 0))).toMatchObject({
      reservedTokens: 0,
      usedTokens: 1500,
    });
  });

  it(`concurrent holds never pass the limit, on a calendar window and on a rolling budget`, async () => {
    const s = ctx.storage();
    await write(s, async (tx) => {
      await tx.tokenBudgets.insertConfig(budget("cal"));
      await tx.tokenBudgets.insertConfig(budget("roll", { period: "rolling", rollingMs: 60_000 }));
    });
    const n = ctx.concurrency;
    const results = await Promise.all(
      range(n).flatMap((i) => [
        write(s, (tx) => tx.tokenBudgets.hold(hold(`c${i}`, "cal", 100))),
        write(s, (tx) =>
          tx.tokenBudgets.hold({
            ...hold(`r${i}`, "roll", 100, {
              rolling: true,
              windowStart: (i % 3) * 1000,
              windowEnd: (i % 3) * 1000 + 1000,
            }),
            rollingSince: -1,
          }),
        ),
      ]),
    );
    const won = results.filter(Boolean).length;
    expect(won).toBe(Math.min(n, 10) * 2);
    expect((await s.read((tx) => tx.tokenBudgets.window("cal", 0)))?.reservedTokens).toBe(
      Math.min(n, 10) * 100,
    );
    expect((await s.read((tx) => tx.tokenBudgets.rollingUsage("roll", -1))).tokens).toBe(
      Math.min(n, 10) * 100,
    );
  });
}
