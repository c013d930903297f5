import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { spawnTs } from "../support/child-process.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "../support/postgres.js";
import { openStorage, type StorageSpec } from "../support/storage-spec.js";

/**
 * 8 processes race reservations on the same budgets: a daily budget of 2000 tokens (org acme) and a rolling
 * 1h budget of 1500 tokens (org beta), 100 tokens per call. Whatever the interleaving, exactly 20 and 15
 * calls are allowed and the reserved totals never pass the limits (the original lets racing callers overspend).
 */
const PROCESSES = 8;
const PER_ORG = 6;
const WORKER = join(import.meta.dirname, "..", "fixtures", "token-reserve-worker.ts");

const server = await probePostgres();
const dir = mkdtempSync(join(tmpdir(), "acp-token-race-"));
const schema = uniqueSchema("token_race");
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (server.available) await dropSchema(schema);
});

const targets: { name: string; available: boolean; spec: StorageSpec }[] = [
  { name: "SQLite file", available: true, spec: { kind: "sqlite", path: join(dir, "race.db") } },
  { name: "PostgreSQL", available: server.available, spec: { kind: "postgres", url: DATABASE_URL, schema } },
];

describe.each(targets.filter((t) => t.available))("token reservations raced by 8 processes on $name", (t) => {
  it("never reserves past a calendar or rolling limit", async () => {
    const storage = await openStorage(t.spec);
    const cp = await createControlPlane({ storage, policy: TEST_POLICY, recoverOnStart: false });
    const daily = await cp.createTokenBudget({
      identity: { orgId: "acme" },
      period: "daily",
      maxTokens: 2000,
    });
    const rolling = await cp.createTokenBudget({
      identity: { orgId: "beta" },
      period: "rolling",
      rolling: "1h",
      maxTokens: 1500,
    });
    const session = await cp.openSession();
    const children = Array.from({ length: PROCESSES }, (_, w) =>
      spawnTs(WORKER, [JSON.stringify(t.spec), session.id, String(PER_ORG), String(w)]),
    );
    const exits = await Promise.all(children.map((c) => c.exited));
    expect(exits).toEqual(children.map(() => 0));
    const lines = children.flatMap((c) => c.lines);
    expect(lines).toHaveLength(PROCESSES * PER_ORG * 2);
    const count = (prefix: string) => lines.filter((l) => l.startsWith(prefix)).length;
    expect(count("acme allowed")).toBe(20);
    expect(count("acme denied token_budget_exceeded")).toBe(PROCESSES * PER_ORG - 20);
    expect(count("beta allowed")).toBe(15);
    expect(count("beta denied token_budget_exceeded")).toBe(PROCESSES * PER_ORG - 15);
    const states = new Map((await cp.tokenBudgetStates({ orgId: "acme" })).map((s) => [s.configId, s]));
    expect(states.get(daily.id)).toMatchObject({ reservedTokens: 2000, usedTokens: 0, remainingTokens: 0 });
    const beta = await cp.tokenBudgetStates({ orgId: "beta" });
    expect(beta.find((s) => s.configId === rolling.id)).toMatchObject({
      reservedTokens: 1500,
      remainingTokens: 0,
    });
    await cp.close();
    await storage.close();
  }, 120_000);
});
