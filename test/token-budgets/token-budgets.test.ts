import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import type { Decision } from "../../src/control-plane/decision.js";
import { createMemoryStorage } from "../../src/storage/memory/index.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import type { Storage } from "../../src/storage/storage.js";
import { createFakeClock, type FakeClock } from "../../src/testing/fake-clock.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "../support/postgres.js";

const server = await probePostgres();
const dir = mkdtempSync(join(tmpdir(), "acp-token-budgets-"));
const schema = uniqueSchema("token_budgets");
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const s of schemas) await dropSchema(s);
});

let n = 0;
const adapters: { name: string; available: boolean; open: () => Promise<Storage> }[] = [
  { name: "memory", available: true, open: async () => createMemoryStorage() },
  {
    name: "SQLite file",
    available: true,
    open: async () => createSqliteStorage({ path: join(dir, `t${n++}.db`) }),
  },
  {
    name: "PostgreSQL",
    available: server.available,
    open: async () => {
      const { createPostgresStorage } = await import("../../src/storage/postgres/index.js");
      schemas.push(`${schema}_${n++}`);
      return createPostgresStorage({ connectionString: DATABASE_URL, schema: schemas.at(-1)!, poolSize: 2 });
    },
  },
];

/** Wednesday 2026-01-07 12:00 UTC. */
const WEDNESDAY_NOON = Date.UTC(2026, 0, 7, 12);

describe.each(adapters.filter((a) => a.available))("token budgets on $name", (adapter) => {
  let cp: ControlPlane;
  let clock: FakeClock;
  let sessionId: string;
  let resource = 0;
  const call = (
    tokens: { in: number; out: number },
    identity: object = { orgId: "acme" },
    model = "gpt-4o",
  ) =>
    cp.propose({
      sessionId,
      action: "read_file",
      resourceId: `r${resource++}`,
      model: { model, identity, inputTokens: tokens.in, outputTokens: tokens.out },
    });
  const allowed = (d: Decision) => {
    expect(d, d.reason).toMatchObject({ outcome: "allowed" });
    expect(d.tokenReservationId).toEqual(expect.any(String));
    return d.tokenReservationId!;
  };

  beforeEach(async () => {
    clock = createFakeClock(WEDNESDAY_NOON);
    const storage = await adapter.open();
    cp = await createControlPlane({
      storage,
      policy: TEST_POLICY,
      clock,
      recoverOnStart: false,
      tokenReservationTtlMs: 60_000,
      modelPrices: { "gpt-4o": { inputPerMillionTokens: "2.5", outputPerMillionTokens: "10" } },
    });
    sessionId = (await cp.openSession()).id;
    return async () => {
      await cp.close();
      await storage.close();
    };
  });

  it("matches budgets by the subset rule and reserves for every matching one", async () => {
    const everyone = await cp.createTokenBudget({ period: "monthly", maxTokens: 10_000 });
    const org = await cp.createTokenBudget({ identity: { orgId: "acme" }, period: "daily", maxTokens: 500 });
    const user = await cp.createTokenBudget({ identity: { orgId: "acme", userId: "u1" }, period: "daily" });
    const ids = async (identity: object) => (await cp.listTokenBudgets(identity)).map((b) => b.id).sort();
    expect(await ids({ orgId: "acme" })).toEqual([everyone.id, org.id].sort());
    expect(await ids({ orgId: "acme", userId: "u1" })).toEqual([everyone.id, org.id, user.id].sort());
    expect(await ids({ orgId: "other" })).toEqual([everyone.id]);
    allowed(await call({ in: 300, out: 100 }));
    const states = new Map((await cp.tokenBudgetStates({ orgId: "acme" })).map((s) => [s.configId, s]));
    expect(states.get(everyone.id)).toMatchObject({ reservedTokens: 400, remainingTokens: 9600 });
    expect(states.get(org.id)).toMatchObject({ reservedTokens: 400, remainingTokens: 100 });
    // 101 more would pass the org's 500: denied, and nothing is left reserved for the refused call.
    const refused = await call({ in: 101, out: 0 });
    expect(refused).toMatchObject({ outcome: "denied", code: "token_budget_exceeded" });
    expect(refused.tokenReservationId).toBeUndefined();
    const after = new Map((await cp.tokenBudgetStates({ orgId: "acme" })).map((s) => [s.configId, s]));
    expect(after.get(everyone.id)).toMatchObject({ reservedTokens: 400 });
    // Exactly up to the limit is allowed; another user of another org is not limited by acme's budget.
    allowed(await call({ in: 100, out: 0 }));
    allowed(await call({ in: 5000, out: 0 }, { orgId: "other" }));
  });

  it("allowed-model lists: absent allows all, a list allows its models, an empty list allows none", async () => {
    await cp.createTokenBudget({ identity: { teamId: "t1" }, period: "daily", allowedModels: ["gpt-4o"] });
    await cp.createTokenBudget({ identity: { teamId: "t2" }, period: "daily", allowedModels: [] });
    allowed(await call({ in: 1, out: 1 }, { teamId: "t1" }));
    expect(await call({ in: 1, out: 1 }, { teamId: "t1" }, "o1")).toMatchObject({
      outcome: "denied",
      code: "model_not_allowed",
    });
    expect(await call({ in: 1, out: 1 }, { teamId: "t2" })).toMatchObject({ code: "model_not_allowed" });
    allowed(await call({ in: 1, out: 1 }, { teamId: "t3" }, "o1"));
  });

  it("prices tokens with the price table and limits cost; an unpriced model is refused by a cost limit", async () => {
    const b = await cp.createTokenBudget({ identity: { orgId: "acme" }, period: "daily", maxCost: "0.01" });
    // 1000 in × 2.5/M + 500 out × 10/M = 0.0075
    allowed(await call({ in: 1000, out: 500 }));
    const [state] = await cp.tokenBudgetStates({ orgId: "acme" });
    expect(state).toMatchObject({ configId: b.id, reservedCost: "0.0075", remainingCost: "0.0025" });
    expect(await call({ in: 1000, out: 500 })).toMatchObject({ code: "token_budget_exceeded" });
    expect(await call({ in: 1, out: 1 }, { orgId: "acme" }, "unpriced")).toMatchObject({
      code: "model_price_unknown",
    });
  });

  it("settle records actual usage in the ledger, even over the limit, and emits exhaustion once", async () => {
    const b = await cp.createTokenBudget({ identity: { orgId: "acme" }, period: "daily", maxTokens: 1000 });
    const id = allowed(await call({ in: 400, out: 100 }));
    const settled = await cp.settleTokens(id, { inputTokens: 900, outputTokens: 300 });
    expect(settled).toMatchObject({ reservationId: id, totalTokens: 1200, exhausted: [b.id] });
    const [state] = await cp.tokenBudgetStates({ orgId: "acme" });
    expect(state).toMatchObject({ usedTokens: 1200, reservedTokens: 0, remainingTokens: 0 });
    await expect(cp.settleTokens(id, { inputTokens: 1, outputTokens: 1 })).rejects.toMatchObject({
      code: "conflict",
    });
    expect(await call({ in: 1, out: 0 })).toMatchObject({ code: "token_budget_exceeded" });
    const events = await cp.events(sessionId, { limit: 100 });
    const kinds = events.map((e) => e.kind);
    expect(kinds.filter((k) => k === "token_usage_recorded")).toHaveLength(1);
    expect(kinds.filter((k) => k === "token_budget_exhausted")).toHaveLength(1);
    const exhausted = events.find((e) => e.kind === "token_budget_exhausted")!;
    expect(exhausted.payload).toMatchObject({ configId: b.id, usedTokens: 1200, maxTokens: 1000 });
    const summary = await cp.tokenUsageSummary({
      identity: { orgId: "acme" },
      period: "daily",
      windowStart: Date.UTC(2026, 0, 7),
    });
    expect(summary).toMatchObject({ inputTokens: 900, outputTokens: 300, totalTokens: 1200, calls: 1 });
    expect(summary!.byModel).toEqual({ "gpt-4o": 1200 });
    expect(summary!.cost).toBe("0.00525");
    expect(await cp.tokenUsageSummary({ identity: { orgId: "zzz" }, period: "daily", windowStart: 0 })).toBe(
      undefined,
    );
  });

  it("expired reservations free their room in recover(), and a late settle is still recorded", async () => {
    await cp.createTokenBudget({ identity: { orgId: "acme" }, period: "daily", maxTokens: 100 });
    const id = allowed(await call({ in: 100, out: 0 }));
    expect(await call({ in: 1, out: 0 })).toMatchObject({ code: "token_budget_exceeded" });
    clock.advance(59_999);
    expect((await cp.recover()).tokenReservationsExpired).toBe(0);
    clock.advance(1);
    expect((await cp.recover()).tokenReservationsExpired).toBe(1);
    expect((await cp.tokenBudgetStates({ orgId: "acme" }))[0]).toMatchObject({ reservedTokens: 0 });
    allowed(await call({ in: 40, out: 0 }));
    await cp.settleTokens(id, { inputTokens: 30, outputTokens: 0 });
    expect((await cp.tokenBudgetStates({ orgId: "acme" }))[0]).toMatchObject({
      usedTokens: 30,
      reservedTokens: 40,
      remainingTokens: 30,
    });
  });

  it("calendar windows turn over at exactly midnight UTC, Monday and the 1st; rolling windows slide", async () => {
    const daily = await cp.createTokenBudget({
      identity: { orgId: "acme" },
      period: "daily",
      maxTokens: 100,
    });
    const weekly = await cp.createTokenBudget({
      identity: { orgId: "acme" },
      period: "weekly",
      maxTokens: 300,
    });
    const rolling = await cp.createTokenBudget({
      identity: { orgId: "acme" },
      period: "rolling",
      rolling: "1h",
      maxTokens: 200,
    });
    const states = async () =>
      new Map((await cp.tokenBudgetStates({ orgId: "acme" })).map((s) => [s.configId, s]));
    clock.set(Date.UTC(2026, 0, 11, 23, 59, 59, 999)); // Sunday, last ms
    await cp.settleTokens(allowed(await call({ in: 100, out: 0 })), { inputTokens: 100, outputTokens: 0 });
    expect(await call({ in: 1, out: 0 })).toMatchObject({ code: "token_budget_exceeded" });
    let s = await states();
    expect(s.get(daily.id)).toMatchObject({ windowStart: Date.UTC(2026, 0, 11), usedTokens: 100 });
    expect(s.get(weekly.id)).toMatchObject({
      windowStart: Date.UTC(2026, 0, 5),
      windowEnd: Date.UTC(2026, 0, 12),
    });
    clock.set(Date.UTC(2026, 0, 12)); // Monday 00:00:00.000: a new day and a new week
    s = await states();
    expect(s.get(daily.id)).toMatchObject({ windowStart: Date.UTC(2026, 0, 12), usedTokens: 0 });
    expect(s.get(weekly.id)).toMatchObject({ windowStart: Date.UTC(2026, 0, 12), usedTokens: 0 });
    // The rolling hour still counts the 100 settled a millisecond ago.
    expect(s.get(rolling.id)).toMatchObject({ usedTokens: 100, remainingTokens: 100 });
    allowed(await call({ in: 100, out: 0 }));
    expect(await call({ in: 1, out: 0 })).toMatchObject({ code: "token_budget_exceeded" });
    // Rolling windows count 1-minute buckets (1/60 of the hour) and may count one bucket more, never less:
    // the first call (bucket 23:59) counts until 01:00:00.000 exactly.
    clock.set(Date.UTC(2026, 0, 12, 0, 59, 59, 999));
    expect((await states()).get(rolling.id)).toMatchObject({ usedTokens: 100, reservedTokens: 100 });
    clock.set(Date.UTC(2026, 0, 12, 1));
    expect((await states()).get(rolling.id)).toMatchObject({ usedTokens: 0, reservedTokens: 100 });
    const monthly = await cp.createTokenBudget({
      identity: { userId: "m" },
      period: "monthly",
      maxTokens: 10,
    });
    clock.set(Date.UTC(2026, 0, 31, 23, 59, 59, 999));
    allowed(await call({ in: 10, out: 0 }, { userId: "m" }));
    expect(await call({ in: 1, out: 0 }, { userId: "m" })).toMatchObject({ code: "token_budget_exceeded" });
    clock.set(Date.UTC(2026, 1, 1));
    const [m] = await cp.tokenBudgetStates({ userId: "m" });
    expect(m).toMatchObject({ configId: monthly.id, windowStart: Date.UTC(2026, 1, 1), reservedTokens: 0 });
    allowed(await call({ in: 10, out: 0 }, { userId: "m" }));
  });

  it("rejects bad budgets and usage with named paths and changes nothing", async () => {
    await expect(
      cp.createTokenBudget({ period: "hourly" as never, maxTokens: -1, allowedModels: [""] }),
    ).rejects.toMatchObject({
      code: "validation_failed",
      details: {
        issues: expect.arrayContaining([
          expect.objectContaining({ path: "period" }),
          expect.objectContaining({ path: "maxTokens" }),
          expect.objectContaining({ path: "allowedModels[0]" }),
        ]),
      },
    });
    await expect(cp.createTokenBudget({ period: "rolling", rolling: "1y" })).rejects.toMatchObject({
      details: { issues: [expect.objectContaining({ path: "rolling" })] },
    });
    expect(await cp.listTokenBudgets()).toEqual([]);
    await expect(cp.settleTokens("nope", { inputTokens: 1, outputTokens: 1 })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(cp.settleTokens("nope", { inputTokens: -1, outputTokens: 1 })).rejects.toMatchObject({
      details: { issues: [expect.objectContaining({ path: "usage.inputTokens" })] },
    });
  });
});

describe("modelPrices option", () => {
  it("is validated eagerly with named paths", async () => {
    await expect(
      createControlPlane({
        storage: createMemoryStorage(),
        policy: TEST_POLICY,
        modelPrices: { "gpt-4o": { inputPerMillionTokens: "-1", outputPerMillionTokens: "x" } } as never,
      }),
    ).rejects.toMatchObject({
      details: {
        issues: expect.arrayContaining([
          expect.objectContaining({ path: "modelPrices.gpt-4o.inputPerMillionTokens" }),
          expect.objectContaining({ path: "modelPrices.gpt-4o.outputPerMillionTokens" }),
        ]),
      },
    });
  });
});
