/**
 * What the token-budget hot path caches or shortcuts must stay invisible: the memory store's matching configs per
 * identity (a new or rolled-back config is seen by the next reservation), the last calendar window of each period,
 * and the exact integer pricing next to the BigInt one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { budgetWindow } from "../../src/engines/token-budgets/budget-window.js";
import { priceTokens } from "../../src/engines/token-budgets/price-table.js";
import { createMemoryStorage } from "../../src/storage/memory/index.js";
import type { TokenBudgetConfigRecord } from "../../src/types/token-budget.js";

const DAY = 86_400_000;
const config = (id: string, patch: Partial<TokenBudgetConfigRecord> = {}): TokenBudgetConfigRecord => ({
  id,
  identity: { userId: null, orgId: "acme", teamId: null },
  period: "daily",
  rollingMs: null,
  maxTokens: 1000,
  maxCostMicros: null,
  allowedModels: null,
  createdAt: 1,
  ...patch,
});

describe("memory token budgets: matching configs cached per identity", () => {
  it("sees a config inserted after a lookup, and forgets one whose insert rolled back", async () => {
    const storage = createMemoryStorage();
    const who = { userId: "u1", orgId: "acme", teamId: null };
    const ids = () => storage.read(async (tx) => (await tx.tokenBudgets.matching(who)).map((c) => c.id));
    await storage.transaction((tx) => tx.tokenBudgets.insertConfig(config("org")));
    expect(await ids()).toEqual(["org"]);
    await storage.transaction((tx) =>
      tx.tokenBudgets.insertConfig(config("user", { identity: { userId: "u1", orgId: null, teamId: null } })),
    );
    expect(await ids()).toEqual(["org", "user"]);
    await expect(
      storage.transaction(async (tx) => {
        await tx.tokenBudgets.insertConfig(config("gone"));
        expect((await tx.tokenBudgets.matching(who)).map((c) => c.id)).toEqual(["org", "user", "gone"]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await ids()).toEqual(["org", "user"]);
    const [first] = await storage.read((tx) => tx.tokenBudgets.matching(who));
    (first as { maxTokens: number }).maxTokens = 1;
    expect((await storage.read((tx) => tx.tokenBudgets.matching(who)))[0]!.maxTokens).toBe(1000);
  });

  it("refuses the next reservation once a new budget that it would exceed is created", async () => {
    const cp = await createControlPlane({
      storage: createMemoryStorage(),
      policy: { version: 1, actions: { autoApprove: ["llm_call"] } },
    });
    const session = await cp.openSession({ name: "s" });
    let n = 0;
    const propose = () =>
      cp.propose({
        sessionId: session.id,
        action: "llm_call",
        resourceId: `r${n++}`,
        model: { model: "m", identity: { userId: "u1" }, inputTokens: 60, outputTokens: 0, cost: "0.01" },
      });
    await cp.createTokenBudget({ identity: { orgId: "acme" }, period: "daily", maxTokens: 1000 });
    expect((await propose()).outcome).toBe("allowed");
    await cp.createTokenBudget({ identity: { userId: "u1" }, period: "daily", maxTokens: 100 });
    expect((await propose()).outcome).toBe("allowed");
    const refused = await propose();
    expect(refused.outcome).toBe("denied");
    expect(refused.code).toBe("token_budget_exceeded");
    await cp.close();
  });
});

describe("budgetWindow: the last calendar window of a period is reused only while now is inside it", () => {
  it("gives the computed window at every instant, across boundaries and back in time", () => {
    const reference = (period: "daily" | "weekly" | "monthly", now: number) => {
      const d = new Date(now);
      const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      if (period === "daily") return { start: midnight, end: midnight + DAY };
      if (period === "weekly") {
        const start = midnight - ((d.getUTCDay() + 6) % 7) * DAY;
        return { start, end: start + 7 * DAY };
      }
      return {
        start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
        end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
      };
    };
    const base = Date.UTC(2026, 0, 31, 23, 59, 59, 999);
    const instants = [
      base,
      base + 1,
      base,
      base - DAY,
      base + 1,
      base + 40 * DAY,
      base + 1,
      base + 7 * DAY - 1,
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...instants),
            fc.integer({ min: base - 400 * DAY, max: base + 400 * DAY }),
          ),
          {
            maxLength: 30,
          },
        ),
        (nows) => {
          for (const now of nows) {
            for (const period of ["daily", "weekly", "monthly"] as const) {
              expect(budgetWindow(period, null, now)).toEqual(reference(period, now));
            }
          }
        },
      ),
      { seed: 14, numRuns: 300 },
    );
  });
});

describe("priceTokens: integer arithmetic where it is exact, BigInt beyond", () => {
  it("matches the BigInt ceiling for small and huge token counts and prices", () => {
    const table = new Map<string, { input: number; output: number }>();
    const big = (i: number, o: number, pi: number, po: number) =>
      Number((BigInt(i) * BigInt(pi) + BigInt(o) * BigInt(po) + 999_999n) / 1_000_000n);
    fc.assert(
      fc.property(
        fc.oneof(fc.nat(10_000), fc.nat(), fc.maxSafeNat()),
        fc.oneof(fc.nat(10_000), fc.nat(), fc.maxSafeNat()),
        fc.oneof(fc.nat(100_000_000), fc.maxSafeNat()),
        fc.oneof(fc.nat(100_000_000), fc.maxSafeNat()),
        (i, o, pi, po) => {
          table.set("m", { input: pi, output: po });
          expect(priceTokens(table, "m", i, o)).toBe(big(i, o, pi, po));
        },
      ),
      { seed: 14, numRuns: 5_000 },
    );
    table.set("m", { input: 2_500_000, output: 10_000_000 });
    expect(priceTokens(table, "m", 1000, 500)).toBe(7500);
    expect(priceTokens(table, "m", 1, 0)).toBe(3);
    expect(priceTokens(table, "unknown", 1, 0)).toBeUndefined();
  });
});
