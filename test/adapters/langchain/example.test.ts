import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runLangChainExample } from "../../../examples/langchain.js";

describe("examples/langchain.ts", () => {
  it("runs the lookup, refuses the blocked tool, and runs the refund once after the operator approves", async () => {
    const report = await runLangChainExample();
    expect(report.refunds).toBe(1);
    expect(report.dropped).toBe(0);
    expect(report.ticketStatus).toBe("approved");
    expect([...report.proposals].sort((a, b) => a.action.localeCompare(b.action))).toEqual([
      { action: "drop_table", status: "denied", code: "blocked_action" },
      { action: "issue_refund", status: "succeeded", code: "approved" },
      { action: "lookup_order", status: "succeeded", code: "auto_approved" },
    ]);
    expect(report.lines.at(-1)).toBe("agent: Your refund of 40 EUR is on its way.");
  });

  it("runs as a script", () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const out = execFileSync(process.execPath, ["--import", "tsx", "examples/langchain.ts"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(out).toMatch(/^paused: issue_refund waits for ticket \S+$/m);
    expect(out).toContain("tool: refunded 40 EUR on A-17");
    expect(out).toContain("proposal drop_table: denied (blocked_action)");
  });
});
