import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, run } from "@openai/agents";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ScriptedModel } from "../../../examples/openai-agents-scripted-model.js";
import { governedTool } from "../../../src/adapters/openai-agents/index.js";
import type { ControlPlane } from "../../../src/control-plane/control-plane.js";
import { fileControlPlane } from "./fixture.js";

let dir: string;
let cp: ControlPlane;
let close: () => Promise<void>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "acp-openai-wait-"));
  ({ cp, close } = await fileControlPlane(join(dir, "cp.db")));
});
afterEach(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

describe("governedTool with approvalWaitMs", () => {
  it("waits in needsApproval for the operator and runs the call once, without an interruption", async () => {
    const s = await cp.openSession({ agentId: "assistant" });
    let runs = 0;
    const refund = governedTool(
      cp,
      {
        name: "issue_refund",
        description: "Refunds an order",
        parameters: z.object({ orderId: z.string() }),
        execute: async ({ orderId }) => {
          runs += 1;
          return `Refunded ${orderId}.`;
        },
      },
      { action: "issue_refund", resourceId: (a) => a.orderId, approvalWaitMs: 60_000 },
    );
    const model = new ScriptedModel([{ tool: "issue_refund", args: { orderId: "o-8" } }]);
    const agent = new Agent({ name: "Assistant", model, tools: [refund] });
    const running = run(agent, "Refund o-8", { context: { sessionId: s.id } });
    // The operator: approves the ticket as soon as it exists.
    let ticketId: string | undefined;
    while (ticketId === undefined) {
      ticketId = (await cp.listTickets({ sessionId: s.id, statuses: ["pending"] }))[0]?.id;
      if (ticketId === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await cp.approve(ticketId, { decidedBy: "ops@example.com" });
    const result = await running;
    expect(result.interruptions).toEqual([]);
    expect(runs).toBe(1);
    expect(model.lastSeen.map((o) => o.output)).toEqual(["Refunded o-8."]);
    const proposals = await cp.listProposals({ sessionId: s.id });
    expect(proposals.map((p) => [p.status, p.ticketId])).toEqual([["succeeded", ticketId]]);
  });
});
