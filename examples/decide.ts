/**
 * `npm run example`: loads examples/policy.yaml and prints the decision, code, tier, risk and explain trace for a
 * set of sample proposals.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import type { AgentRecord, ProposalInput, RoutingDecision } from "../src/index.js";
import { loadPolicy, parseProposal, routeProposal } from "../src/index.js";

/** The agents the example's host knows; proposals from any other agent id are from an unregistered agent. */
const AGENTS: Readonly<Record<string, AgentRecord>> = {
  "support-bot": {
    id: "support-bot",
    name: "Support bot",
    capabilities: ["*"],
    tags: ["support"],
    createdAt: 0,
    updatedAt: 0,
  },
};

/** Sample proposals, one per interesting path through the policy. */
export const SAMPLES: readonly ProposalInput[] = [
  { sessionId: "demo", agentId: "support-bot", action: "read_ticket", resourceId: "ticket-1042" },
  {
    sessionId: "demo",
    agentId: "support-bot",
    action: "reply_ticket",
    resourceId: "ticket-1042",
    args: { to: "ana@example.com", body: "Your order has shipped." },
    metadata: { channel: "email" },
  },
  {
    sessionId: "demo",
    agentId: "support-bot",
    action: "reply_ticket",
    resourceId: "ticket-1043",
    args: { to: "bob@elsewhere.org", body: "Your SSN on file is 123-45-6789." },
    metadata: { channel: "email" },
  },
  { sessionId: "demo", agentId: "support-bot", action: "update_ticket", resourceId: "prod-billing" },
  {
    sessionId: "demo",
    agentId: "support-bot",
    action: "update_ticket",
    resourceId: "ticket-7",
    args: { customerId: "cust-666" },
    metadata: { channel: "chat" },
  },
  { sessionId: "demo", agentId: "support-bot", action: "Issue_Refund", args: { amount: 40 }, cost: "40" },
  { sessionId: "demo", agentId: "support-bot", action: "issue_refund", args: { amount: 900 }, cost: "900" },
  { sessionId: "demo", agentId: "support-bot", action: "close_account", resourceId: "cust-42" },
  { sessionId: "demo", agentId: "support-bot", action: "get_status" },
  { sessionId: "demo", agentId: "support-bot", action: "drop_database", resourceId: "prod-db" },
  { sessionId: "demo", agentId: "support-bot", action: "shell_exec", args: { cmd: "ls" } },
  { sessionId: "demo", agentId: "intruder", action: "search_kb", args: { q: "refund policy" } },
];

/** One sample and its decision. */
export interface SampleDecision {
  readonly input: ProposalInput;
  readonly decision: RoutingDecision;
}

/** Routes every sample through the example policy (agent identities enforced). */
export async function decideSamples(
  policyPath = fileURLToPath(new URL("./policy.yaml", import.meta.url)),
): Promise<readonly SampleDecision[]> {
  const policy = loadPolicy(policyPath);
  const out: SampleDecision[] = [];
  for (const input of SAMPLES) {
    const proposal = parseProposal(input);
    const agent = proposal.agentId === null ? undefined : (AGENTS[proposal.agentId] ?? null);
    out.push({ input, decision: await routeProposal(policy, proposal, { agent }) });
  }
  return out;
}

/** Formats decisions as a readable table followed by each explain trace. */
export function formatDecisions(rows: readonly SampleDecision[]): string {
  const header = ["#", "action", "verdict", "code", "tier", "risk"];
  const body = rows.map((r, i) => [
    String(i + 1),
    r.input.action,
    r.decision.verdict,
    r.decision.code,
    r.decision.tier,
    r.decision.riskLevel,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join("  ");
  const lines = [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line), ""];
  rows.forEach((r, i) => {
    lines.push(`${i + 1}. ${r.input.action}: ${r.decision.reason}`);
    for (const t of r.decision.trace)
      lines.push(`     ${t.step} = ${t.result}${t.detail ? `  (${t.detail})` : ""}`);
    if (r.decision.verdict === "steer") lines.push(`     steering: ${r.decision.steering.guidance}`);
  });
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const policyPath = fileURLToPath(new URL("./policy.yaml", import.meta.url));
  const policy = loadPolicy(policyPath);
  console.log(
    `policy ${policy.document.name ?? ""} (id ${policy.id}), approval timeout ${policy.approvals.timeoutMs} ms\n`,
  );
  console.log(formatDecisions(await decideSamples(policyPath)));
}
