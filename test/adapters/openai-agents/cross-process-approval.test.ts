import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnTs } from "../../support/child-process.js";
import { fileControlPlane } from "./fixture.js";

const CHILD = "test/adapters/openai-agents/approval-child.ts";

describe("@openai/agents approval across processes (SQLite file)", () => {
  const dir = mkdtempSync(join(tmpdir(), "acp-openai-xproc-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("interrupts in process A, is approved by an operator, resumes in process B and runs once", async () => {
    const db = join(dir, "cp.db");
    const saved = join(dir, "saved.json");
    const refunds = join(dir, "refunds.log");
    const { cp, close } = await fileControlPlane(db);
    try {
      const session = await cp.openSession({ agentId: "assistant" });
      const a = spawnTs(CHILD, ["start", db, session.id, saved, refunds]);
      expect(await a.exited).toBe(0);
      const started = JSON.parse(a.lines.at(-1)!) as { interrupted: number; tickets: { ticketId: string }[] };
      expect(started.interrupted).toBe(1);
      expect(existsSync(refunds)).toBe(false);
      const ticketId = started.tickets[0]!.ticketId;
      expect((await cp.getTicket(ticketId)).status).toBe("pending");

      await cp.approve(ticketId, { decidedBy: "ops@example.com", reason: "customer verified" });

      const b = spawnTs(CHILD, ["resume", db, session.id, saved, refunds]);
      expect(await b.exited).toBe(0);
      const resumed = JSON.parse(b.lines.at(-1)!) as { resolved: string[]; finalOutput: string };
      expect(resumed).toEqual({
        resolved: ["approved"],
        finalOutput: "issue_refund: Refunded 30 on order o-42.",
      });
      const lines = readFileSync(refunds, "utf8").trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^${b.process.pid} o-42$`));
      const proposals = await cp.listProposals({ sessionId: session.id });
      expect(proposals.map((p) => [p.action, p.status, p.ticketId])).toEqual([
        ["issue_refund", "succeeded", ticketId],
      ]);
      const kinds = (await cp.events(session.id)).map((e) => e.kind);
      expect(kinds.filter((k) => k === "execution_completed")).toHaveLength(1);
    } finally {
      await close();
    }
  });
});
