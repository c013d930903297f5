import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { auditTable, runDemo } from "../../examples/demo.js";

describe("npm run demo", () => {
  const dir = mkdtempSync(join(tmpdir(), "acp-demo-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("shows every outcome and records them in the audit log", async () => {
    const { rows, events } = await runDemo(join(dir, "demo.db"));
    const codes = rows.map((r) => r.code);
    for (const code of [
      "auto_approved",
      "evaluator_denied",
      "steered",
      "blocked_action",
      "unknown_agent",
      "approval_required",
      "approved",
      "budget_exhausted",
      "kill_switch",
    ]) {
      expect(codes).toContain(code);
    }
    expect(rows.find((r) => r.step.startsWith("9"))).toMatchObject({ outcome: "allowed", code: "approved" });
    expect(rows.find((r) => r.step.startsWith("12"))).toMatchObject({
      outcome: "denied",
      code: "kill_switch",
    });
    expect(rows.at(-1)).toMatchObject({ outcome: "allowed" });
    const kinds = new Set(events.map((e) => e.kind));
    for (const kind of [
      "approval_requested",
      "approval_granted",
      "kill_switch_engaged",
      "kill_switch_released",
      "agent_registered",
    ]) {
      expect(kinds).toContain(kind);
    }
    const decided = events.filter((e) => e.kind === "proposal_decided");
    expect(decided).toHaveLength(rows.filter((r) => r.agent !== "ops@example.com").length);
  });

  it("prints a distinct session id for each session in the audit log", async () => {
    const { events } = await runDemo(join(dir, "ids.db"));
    const sessions = new Set(events.flatMap((e) => (e.sessionId ? [e.sessionId] : [])));
    expect(sessions.size).toBeGreaterThanOrEqual(3);
    const lines = auditTable(events).split("\n").slice(2);
    const shown = new Set(lines.map((line) => line.split(/\s{2,}/)[1]).filter((s) => s !== "system"));
    expect(shown.size).toBe(sessions.size);
  });

  it("runs again on the same path from a clean database", async () => {
    const path = join(dir, "again.db");
    const first = await runDemo(path);
    const second = await runDemo(path);
    expect(second.rows.map((r) => r.code)).toEqual(first.rows.map((r) => r.code));
    expect(second.events).toHaveLength(first.events.length);
  });
});
