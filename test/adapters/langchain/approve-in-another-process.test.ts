import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { Command, MemorySaver } from "@langchain/langgraph";
import { createAgent } from "langchain";
import { afterAll, describe, expect, it } from "vitest";
import { governToolCalls, pendingApprovals } from "../../../src/adapters/langchain/index.js";
import { createControlPlane } from "../../../src/control-plane/create-control-plane.js";
import { createSqliteStorage } from "../../../src/storage/sqlite/index.js";
import { spawnTs } from "../../support/child-process.js";
import { LANGCHAIN_POLICY, makeTools, scriptedModel, toolMessageFor } from "./langchain-harness.js";

describe("governToolCalls with an operator in another process (SQLite file)", () => {
  const dir = mkdtempSync(join(tmpdir(), "acp-langchain-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("resumes after the ticket is approved by another process and runs the tool exactly once", async () => {
    const path = join(dir, "cp.db");
    const storage = await createSqliteStorage({ path });
    const cp = await createControlPlane({ storage, policy: LANGCHAIN_POLICY });
    try {
      const session = await cp.openSession({ agentId: "pay-bot" });
      const { tools, runs } = makeTools();
      const model = scriptedModel([
        [{ name: "send_payment", args: { to: "bob", amount: 12 }, id: "call-x1" }],
      ]);
      const agent = createAgent({
        model,
        tools,
        middleware: [governToolCalls(cp, { sessionId: session.id })],
        checkpointer: new MemorySaver(),
      });
      const config = { configurable: { thread_id: "t-other-process" } };

      const [pending] = pendingApprovals(
        await agent.invoke({ messages: [new HumanMessage("pay bob")] }, config),
      );
      expect(pending?.toolCall.name).toBe("send_payment");

      const operator = spawnTs("test/adapters/langchain/fixtures/operator-approve.ts", [
        path,
        pending!.ticketId,
      ]);
      await operator.waitForLines(1);
      expect(await operator.exited).toBe(0);
      const [ticketId, status, pid] = operator.lines[0]!.split(" ");
      expect([ticketId, status]).toEqual([pending!.ticketId, "approved"]);
      expect(Number(pid)).not.toBe(process.pid);

      const done = await agent.invoke(new Command({ resume: { ticketId: pending!.ticketId } }), config);
      expect(runs.send_payment).toBe(1);
      expect(toolMessageFor(done.messages, "call-x1").content).toBe("paid 12 to bob");
      const proposals = await cp.listProposals({ sessionId: session.id });
      expect(proposals.map((p) => [p.status, p.ticketId])).toEqual([["succeeded", pending!.ticketId]]);
      expect((await cp.getTicket(pending!.ticketId)).decidedBy).toBe("olivia@example.com");
    } finally {
      await cp.close();
      await storage.close();
    }
  });
});
