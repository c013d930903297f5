/**
 * Governed action with a token reservation next to the plain one, in one run (goal: ≤ 10 % slower). The model
 * call's identity matches two budgets (a daily org budget and a rolling 1 h user budget), so each decision takes
 * two guarded holds and inserts the reservation. A third row adds `settleTokens` (ledger + window charge +
 * `token_usage_recorded`), which is a separate call after the LLM answered.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ControlPlane, createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createMemoryStorage } from "../src/storage/memory/memory-storage.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import { type LatencySummary, measure, printTable } from "./stats.js";

const POLICY = { version: 1, actions: { autoApprove: ["llm_call"] } } as const;
const CALL = {
  model: "gpt-4o",
  identity: { userId: "u1", orgId: "acme" },
  inputTokens: 800,
  outputTokens: 200,
};

type Variant = "plain" | "reserve" | "settle";

async function governed(cp: ControlPlane, sessionId: string, i: number, variant: Variant): Promise<void> {
  const d = await cp.propose({
    sessionId,
    action: "llm_call",
    resourceId: `r${i}`,
    cost: "0.01",
    ...(variant === "plain" ? {} : { model: CALL }),
  });
  if (d.outcome !== "allowed") throw new Error(`unexpected ${d.outcome}: ${d.reason}`);
  await cp.complete(d.proposalId, { ok: true });
  if (variant === "settle")
    await cp.settleTokens(d.tokenReservationId!, { inputTokens: 790, outputTokens: 210 });
}

async function rows(
  label: string,
  open: () => Promise<Storage>,
  iterations: number,
): Promise<LatencySummary[]> {
  const out: LatencySummary[] = [];
  for (const variant of ["plain", "reserve", "settle"] as const) {
    const storage = await open();
    const cp = await createControlPlane({
      storage,
      policy: POLICY,
      modelPrices: { "gpt-4o": { inputPerMillionTokens: "2.5", outputPerMillionTokens: "10" } },
    });
    await cp.createTokenBudget({
      identity: { orgId: "acme" },
      period: "daily",
      maxTokens: 1e15,
      maxCost: "1000000000",
    });
    await cp.createTokenBudget({
      identity: { userId: "u1" },
      period: "rolling",
      rolling: "1h",
      maxTokens: 1e15,
    });
    const s = await cp.openSession({ name: `${label} ${variant}` });
    const name =
      variant === "plain"
        ? `${label}: plain`
        : variant === "reserve"
          ? `${label}: + token reservation`
          : `${label}: + reservation + settle`;
    out.push(
      await measure(name, (i) => governed(cp, s.id, i, variant), {
        iterations,
        warmup: Math.min(1000, iterations / 5),
      }),
    );
    await cp.close();
    await storage.close();
  }
  return out;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acp-bench-tokens-"));
  let n = 0;
  try {
    const memory = await rows("memory", async () => createMemoryStorage(), 20_000);
    const file = await rows(
      "sqlite file WAL",
      async () => createSqliteStorage({ path: join(dir, `t${n++}.db`) }),
      3_000,
    );
    const ratio = (r: readonly LatencySummary[]) =>
      ` (reservation/plain p50 = ${(r[1]!.p50Us / r[0]!.p50Us).toFixed(2)})`;
    printTable(`governed action with a token reservation vs plain, memory${ratio(memory)}`, [
      ...memory.map((r, i) => (i === 1 ? { ...r, goal: "≤ 1.10 × plain" } : r)),
    ]);
    printTable(`governed action with a token reservation vs plain, SQLite file${ratio(file)}`, [
      ...file.map((r, i) => (i === 1 ? { ...r, goal: "≤ 1.10 × plain" } : r)),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
