import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runMastraExample } from "../../../examples/mastra.js";

describe("examples/mastra.ts", () => {
  it("suspends the refund for approval and runs it once after the operator approves", async () => {
    const log = await runMastraExample();
    const ticket = /run suspended: ticket (\S+)/.exec(log[0] ?? "")?.[1];
    expect(ticket).toBeDefined();
    expect(log.slice(1)).toEqual([
      `operator approved ticket ${ticket}`,
      "refund executed: A-1001 42",
      "model: Order A-1001 was refunded.",
      "proposal issue_refund: approved succeeded",
    ]);
  });

  it("runs as a script", () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const out = execFileSync(process.execPath, ["--import", "tsx", "examples/mastra.ts"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(out).toContain("refund executed: A-1001 42");
  }, 180_000);
});
