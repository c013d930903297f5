import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/engines/policy/load-policy.js";

const doc = readFileSync(new URL("../../docs/policy-reference.md", import.meta.url), "utf8");

/** Fenced blocks with their info string; ```yaml blocks are complete policies, ```yaml fragment ones are not. */
function blocks(info: string): string[] {
  const out: string[] = [];
  const re = /^```([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const m of doc.matchAll(re)) if (m[1]!.trim() === info) out.push(m[2]!);
  return out;
}

describe("docs/policy-reference.md", () => {
  const yamlBlocks = blocks("yaml");

  it("has complete yaml examples", () => {
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(10);
  });

  it.each(yamlBlocks.map((b, i) => [i + 1, b] as const))("yaml example %i loads", (_i, text) => {
    expect(loadPolicy(text).document.version).toBe(1);
  });

  it("shows the real error message format", () => {
    const [shown] = blocks("text");
    let message = "";
    try {
      loadPolicy({
        version: 1,
        actions: { blocked: ["a", "b", 3], blokced: [] },
        evaluators: [{ name: "x", type: "pii" }],
        autoApprove: { when: { all: [{ risk: "low" }, { field: "args.a", op: "between", value: 1 }] } },
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(`${message}\n`).toBe(shown);
  });
});
