import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { decideSamples, formatDecisions } from "../../examples/decide.js";

describe("examples/decide.ts (npm run example)", () => {
  it("decides every sample as the example policy intends", async () => {
    const rows = await decideSamples();
    expect(rows.map((r) => `${r.input.action}:${r.decision.code}:${r.decision.riskLevel}`)).toEqual([
      "read_ticket:auto_approved:low",
      "reply_ticket:auto_approved:low",
      "reply_ticket:evaluator_denied:medium",
      "update_ticket:approval_required:high",
      "update_ticket:evaluator_denied:low",
      "Issue_Refund:approval_required:low",
      "issue_refund:approval_required:critical",
      "close_account:steered:low",
      "get_status:unrestricted:low",
      "drop_database:blocked_action:high",
      "shell_exec:unlisted_action:low",
      "search_kb:unknown_agent:low",
    ]);
    const text = formatDecisions(rows);
    expect(text).toContain("risk = critical  (risk.rules[0] (large amount))");
    expect(text).toContain("evaluators = deny  (no-ssn-in-replies: Regex match on args.body");
  });

  it("runs as a script and prints the table and traces", () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const out = execFileSync("npx", ["tsx", "examples/decide.ts"], { cwd: root, encoding: "utf8" });
    expect(out).toMatch(/^policy support-agent \(id [0-9a-f]{32}\), approval timeout 900000 ms/);
    expect(out).toMatch(/drop_database\s+deny\s+blocked_action\s+blocked\s+high/);
    expect(out).toContain(
      "steering: Closing accounts is not done by the agent. Use update_ticket, reply_ticket",
    );
    expect(out).toContain("12. search_kb: Agent intruder is not registered");
  });
});
