/**
 * Pure decision latency: `routeProposal` on a 100-rule policy with an `autoApprove.when` condition tree, for a
 * mix of proposals (blocked, unlisted, auto-approved, needing approval, steered, unrestricted, agent-checked).
 * Run: `npx tsx bench/run.ts decision`.
 */
import { loadPolicy } from "../src/engines/policy/load-policy.js";
import { parseProposal } from "../src/engines/router/parse-proposal.js";
import { routeProposal } from "../src/engines/router/route-proposal.js";
import type { AgentRecord } from "../src/types/agent.js";
import type { Proposal } from "../src/types/proposal.js";
import { type LatencySummary, measure, printTable } from "./stats.js";

/** Builds the benchmark policy: 100 risk rules of mixed kinds plus a nested auto-approve tree. */
export function benchmarkPolicyDocument(): Record<string, unknown> {
  const levels = ["medium", "high", "critical"] as const;
  const rules = Array.from({ length: 100 }, (_, i) => {
    const level = levels[i % 3]!;
    switch (i % 4) {
      case 0:
        return { when: { field: "args.amount", op: "gt", value: 10_000 + i * 100 }, level };
      case 1:
        return { when: { resource: [`prod-db-${i}-*`, `vault-${i}?`] }, level };
      case 2:
        return {
          when: { all: [{ field: "metadata.env", op: "eq", value: `env-${i}` }, { actions: [`op-${i}`] }] },
          level,
        };
      default:
        return { when: { field: "cost", op: "ge", value: 500 + i }, level };
    }
  });
  return {
    version: 1,
    actions: {
      blocked: ["drop_database", "rm_rf"],
      alwaysApprove: ["transfer_funds"],
      autoApprove: ["read_file", "list_files", "search", "send_email"],
      steer: ["delete_user"],
      unrestricted: ["ping"],
      unlisted: "deny",
    },
    risk: { default: "low", rules },
    autoApprove: {
      when: {
        all: [
          { risk: "medium", op: "le" },
          { not: { resource: ["prod-*", "*secret*"] } },
          {
            any: [
              { field: "metadata.env", op: "in", value: ["dev", "staging"] },
              { field: "cost", op: "lt", value: 1 },
            ],
          },
        ],
      },
    },
    approvals: { timeout: "15m" },
  };
}

function proposals(): Proposal[] {
  const inputs = [
    { action: "read_file", resourceId: "docs/readme.md", metadata: { env: "dev" } },
    { action: "search", args: { q: "x" }, metadata: { env: "staging" }, cost: "0.01" },
    { action: "send_email", resourceId: "prod-mail", metadata: { env: "prod" }, cost: 2 },
    { action: "transfer_funds", args: { amount: 50_000 }, metadata: { env: "prod" } },
    { action: "drop_database", resourceId: "prod-db-1" },
    { action: "delete_user", resourceId: "user-42" },
    { action: "ping" },
    { action: "unknown_tool", args: { a: 1 } },
    { action: "list_files", resourceId: "vault-13x", metadata: { env: "dev" } },
    { action: "Read_File ", resourceId: "notes.txt", cost: "0.5" },
  ];
  return inputs.map((i) => parseProposal({ sessionId: "bench", agentId: "agent-1", ...i }));
}

/** Runs the decision benchmark and prints p50 / p99 / ops/s. */
export async function run(): Promise<void> {
  const policy = loadPolicy(benchmarkPolicyDocument());
  const mix = proposals();
  const agent: AgentRecord = {
    id: "agent-1",
    name: "bench",
    capabilities: ["*"],
    tags: [],
    createdAt: 0,
    updatedAt: 0,
  };
  const iterations = 200_000;
  const n = mix.length;
  const rows: (LatencySummary & { goal?: string })[] = [];
  for (const r of [
    await measure("routeProposal (100 rules + tree)", (i) => routeProposal(policy, mix[i % n]!), {
      iterations,
      warmup: 20_000,
    }),
    await measure("routeProposal + agent check", (i) => routeProposal(policy, mix[i % n]!, { agent }), {
      iterations,
      warmup: 20_000,
    }),
    await measure(
      "parseProposal + routeProposal",
      (i) =>
        routeProposal(
          policy,
          parseProposal({ sessionId: "bench", action: "search", cost: i % 3, args: { i } }),
        ),
      { iterations, warmup: 20_000 },
    ),
  ]) {
    rows.push({ ...r, goal: "p99 ≤ 10 µs" });
  }
  printTable("decision core (pure)", rows);
}
