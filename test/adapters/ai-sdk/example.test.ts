import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runAiSdkExample } from "../../../examples/ai-sdk.js";

describe("examples/ai-sdk.ts", () => {
  it("asks for the refund's approval, runs it once after the operator approves, and governs each model call", async () => {
    const log = await runAiSdkExample();
    const ticket = /approval requested: ticket (\S+)/.exec(log[0] ?? "")?.[1];
    expect(ticket).toBeDefined();
    expect(log.slice(1)).toEqual([
      `operator approved ticket ${ticket}`,
      "refund executed: A-1001 42",
      "model: Order A-1001 was refunded.",
      "proposal model_call: auto_approved succeeded",
      "proposal lookup_order: auto_approved succeeded",
      "proposal model_call: auto_approved succeeded",
      "proposal issue_refund: approved succeeded",
      "proposal model_call: auto_approved succeeded",
    ]);
  });

  it("runs as a script", () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const out = execFileSync(process.execPath, ["--import", "tsx", "examples/ai-sdk.ts"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(out).toContain("refund executed: A-1001 42");
    expect(out).toContain("proposal issue_refund: approved succeeded");
  }, 180_000);
});
