import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runOpenAIAgentsExample } from "../../../examples/openai-agents.js";

describe("examples/openai-agents.ts", () => {
  it("runs the allowed call, resumes the approved one and tells the model why the blocked one was refused", async () => {
    const lines = await runOpenAIAgentsExample();
    expect(lines[0]).toMatch(/^interrupted: issue_refund waits for ticket [0-9a-f-]{36}$/);
    expect(lines).toContain("resolved: issue_refund approved");
    expect(lines).toContain("model read: get_weather -> It is sunny in Lisbon.");
    expect(lines).toContain("model read: issue_refund -> Refunded 25 on A-1001.");
    expect(lines.find((l) => l.startsWith("model read: drop_database"))).toContain("blocked by policy");
    expect(lines.filter((l) => l.startsWith("proposal:")).sort()).toEqual([
      "proposal: drop_database denied (blocked_action)",
      "proposal: get_weather succeeded (auto_approved)",
      "proposal: issue_refund succeeded (approved)",
    ]);
  });

  it("runs as a script", () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const out = execFileSync(process.execPath, ["--import", "tsx", "examples/openai-agents.ts"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(out).toContain("resolved: issue_refund approved");
    expect(out).toContain("final: 3 tool results");
  });
});
