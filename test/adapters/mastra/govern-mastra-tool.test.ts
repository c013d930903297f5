import { Mastra } from "@mastra/core";
import { Agent } from "@mastra/core/agent";
import { RuntimeContext } from "@mastra/core/runtime-context";
import { InMemoryStore } from "@mastra/core/storage";
import { createTool } from "@mastra/core/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { governMastraTool, type MastraToolMapping } from "../../../src/adapters/mastra/index.js";
import type { ControlPlane } from "../../../src/index.js";
import { adapterSetup } from "../adapter-fixture.js";
import { type ScriptStep, scriptedModel, toolOutputsSeen } from "../ai-sdk/scripted-model.js";
import { asV2 } from "./v2-model.js";

const setup = (options?: { sqlite?: boolean; maxActions?: number }) => adapterSetup("mastra test", options);

type OrderInput = { orderId: string };

/** A Mastra tool (createTool) that counts its runs; `body` replaces its default answer. */
function orderTool(
  id: string,
  body?: (input: OrderInput, signal: AbortSignal | undefined) => Promise<unknown>,
) {
  const runs: OrderInput[] = [];
  const tool = createTool({
    id,
    description: `${id} an order`,
    inputSchema: z.object({ orderId: z.string() }),
    execute: async ({ context }, options) => {
      runs.push(context);
      return body ? body(context, options?.abortSignal) : { ok: true, orderId: context.orderId };
    },
  });
  return { tool, runs };
}

/** A Mastra agent (with in-memory Mastra storage, so runs can suspend) driven by the AI SDK mock model. */
function agentWith(
  cp: ControlPlane,
  t: ReturnType<typeof orderTool>["tool"],
  mapping: MastraToolMapping<OrderInput>,
  steps: readonly ScriptStep[],
) {
  const model = scriptedModel(steps);
  const agent = new Agent({
    name: "support",
    instructions: "Help with orders.",
    model: asV2(model) as never,
    tools: { [t.id]: governMastraTool(cp, t, mapping) },
  });
  const mastra = new Mastra({ agents: { support: agent }, storage: new InMemoryStore(), logger: false });
  return { agent: mastra.getAgent("support"), model };
}

const seenText = (value: unknown) => JSON.stringify(value);

describe("governMastraTool with a Mastra Agent and the AI SDK mock model", () => {
  it("runs an allowed call exactly once", async () => {
    const { cp, session } = await setup();
    const lookup = orderTool("lookup");
    const { agent, model } = agentWith(cp, lookup.tool, { action: "lookup_order", sessionId: session.id }, [
      { tool: "lookup", input: { orderId: "o-1" } },
      { text: "found" },
    ]);
    const result = await agent.generate("look up o-1");
    expect(result.text).toBe("found");
    expect(lookup.runs).toEqual([{ orderId: "o-1" }]);
    expect(toolOutputsSeen(model.doGenerateCalls[1])).toEqual([
      { type: "json", value: { ok: true, orderId: "o-1" } },
    ]);
    const proposals = await cp.listProposals({ sessionId: session.id });
    expect(proposals.map((p) => [p.action, p.status])).toEqual([["lookup_order", "succeeded"]]);
  });

  it("shows a blocked call to the model as a tool error carrying the reason, without running it", async () => {
    const { cp, session } = await setup();
    const drop = orderTool("drop");
    const { agent, model } = agentWith(cp, drop.tool, { action: "delete_database", sessionId: session.id }, [
      { tool: "drop", input: { orderId: "o-1" } },
      { text: "sorry" },
    ]);
    await agent.generate("drop it");
    expect(drop.runs).toEqual([]);
    const [proposal] = await cp.listProposals({ sessionId: session.id });
    expect(proposal?.code).toBe("blocked_action");
    const seen = toolOutputsSeen(model.doGenerateCalls[1])[0];
    expect(seenText(seen?.value)).toContain("TOOL_EXECUTION_FAILED");
    expect(seenText(seen?.value)).toContain(proposal?.reason ?? "<none>");
  });

  it("suspends an approval-tier call with its ticket, and runs it once when resumed after approval (SQLite)", async () => {
    const { cp, session } = await setup({ sqlite: true });
    const refund = orderTool("refund");
    const asked: string[] = [];
    const { agent, model } = agentWith(
      cp,
      refund.tool,
      {
        action: "issue_refund",
        sessionId: session.id,
        onApprovalRequested: (r) => void asked.push(r.ticketId),
      },
      [{ tool: "refund", input: { orderId: "o-9" }, id: "tc-9" }, { text: "refunded" }],
    );
    const stream = await agent.stream("refund o-9");
    const suspended: { toolCallId: string; suspendPayload: { ticketId: string } }[] = [];
    for await (const chunk of stream.fullStream)
      if (chunk.type === "tool-call-suspended") suspended.push(chunk.payload as never);
    expect(refund.runs).toEqual([]);
    expect(suspended).toHaveLength(1);
    const ticketId = suspended[0]?.suspendPayload.ticketId ?? "";
    expect(asked).toEqual([ticketId]);
    expect((await cp.getTicket(ticketId)).status).toBe("pending");

    await cp.approve(ticketId, { decidedBy: "ops@example.com" });
    const resumed = await agent.resumeStream({ ticketId }, { runId: stream.runId, toolCallId: "tc-9" });
    expect(await resumed.text).toBe("refunded");
    expect(refund.runs).toEqual([{ orderId: "o-9" }]);
    expect(toolOutputsSeen(model.doGenerateCalls.at(-1))).toEqual([
      { type: "json", value: { ok: true, orderId: "o-9" } },
    ]);
    const proposals = await cp.listProposals({ sessionId: session.id });
    expect(proposals.map((p) => [p.code, p.status])).toEqual([["approved", "succeeded"]]);
  });

  it("does not run a resumed call the control plane has not approved (resume data is not trusted)", async () => {
    const { cp, session } = await setup();
    const refund = orderTool("refund");
    const { agent } = agentWith(cp, refund.tool, { action: "issue_refund", sessionId: session.id }, [
      { tool: "refund", input: { orderId: "o-7" }, id: "tc-7" },
      { text: "hm" },
    ]);
    const stream = await agent.stream("refund o-7");
    let ticketId = "";
    for await (const chunk of stream.fullStream)
      if (chunk.type === "tool-call-suspended")
        ticketId = (chunk.payload as { suspendPayload: { ticketId: string } }).suspendPayload.ticketId;
    const resumed = await agent.resumeStream(
      { ticketId, approved: true },
      { runId: stream.runId, toolCallId: "tc-7" },
    );
    const results: unknown[] = [];
    for await (const chunk of resumed.fullStream)
      if (chunk.type === "tool-result") results.push(chunk.payload);
    expect(refund.runs).toEqual([]);
    expect(seenText(results)).toContain(ticketId);
    expect((await cp.getTicket(ticketId)).status).toBe("pending");
  });

  it("in message mode tells the model the ticket, and a retry after the approval runs once", async () => {
    const { cp, session } = await setup();
    const refund = orderTool("refund");
    const { agent, model } = agentWith(
      cp,
      refund.tool,
      { action: "issue_refund", sessionId: session.id, approval: "message" },
      [{ tool: "refund", input: { orderId: "o-5" } }, { text: "waiting" }],
    );
    await agent.generate("refund o-5");
    expect(refund.runs).toEqual([]);
    const [ticket] = await cp.listTickets({ sessionId: session.id });
    expect(seenText(toolOutputsSeen(model.doGenerateCalls[1])[0])).toContain(ticket?.id ?? "<none>");
    await cp.approve(ticket?.id ?? "", { decidedBy: "ops" });

    const retry = agentWith(
      cp,
      refund.tool,
      { action: "issue_refund", sessionId: session.id, approval: "message" },
      [{ tool: "refund", input: { orderId: "o-5" } }, { text: "done" }],
    );
    await retry.agent.generate("try again");
    expect(refund.runs).toEqual([{ orderId: "o-5" }]);
  });

  it("aborts a running tool when a kill switch engages, and denies the next call", async () => {
    const { cp, session } = await setup();
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    let aborted = false;
    const slow = orderTool("slow", (_input, signal) => {
      started();
      return new Promise((_resolve, reject) => {
        signal?.addEventListener("abort", () => {
          aborted = true;
          reject(new Error("stopped"));
        });
      });
    });
    const { agent, model } = agentWith(
      cp,
      slow.tool,
      { action: "lookup_order", sessionId: session.id, killPollMs: 10 },
      [
        { tool: "slow", input: { orderId: "o-1" } },
        { tool: "slow", input: { orderId: "o-2" } },
        { text: "stop" },
      ],
    );
    const run = agent.generate("go", { maxSteps: 4 });
    await running;
    await cp.kill({ scope: "session", sessionId: session.id, reason: "runaway agent" });
    await run;
    expect(aborted).toBe(true);
    expect(slow.runs).toEqual([{ orderId: "o-1" }]);
    expect(seenText(toolOutputsSeen(model.doGenerateCalls[1])[0])).toContain("TOOL_EXECUTION_FAILED");
    const next = toolOutputsSeen(model.doGenerateCalls[2]).at(-1);
    expect(seenText(next)).toContain("kill_switch");
  });

  it("reports budget exhaustion to the model", async () => {
    const { cp, session } = await setup({ maxActions: 1 });
    const lookup = orderTool("lookup");
    const { agent, model } = agentWith(cp, lookup.tool, { action: "lookup_order", sessionId: session.id }, [
      { tool: "lookup", input: { orderId: "o-1" } },
      { tool: "lookup", input: { orderId: "o-2" } },
      { text: "done" },
    ]);
    await agent.generate("two lookups", { maxSteps: 4 });
    expect(lookup.runs).toEqual([{ orderId: "o-1" }]);
    const denied = (await cp.listProposals({ sessionId: session.id })).find(
      (p) => p.code === "budget_exhausted",
    );
    expect(denied).toBeDefined();
    expect(seenText(toolOutputsSeen(model.doGenerateCalls[2]).at(-1))).toContain(denied?.reason ?? "<none>");
  });

  it("takes the session from Mastra's RuntimeContext when the mapping names none", async () => {
    const { cp, session } = await setup();
    const lookup = orderTool("lookup");
    const { agent } = agentWith(cp, lookup.tool, { action: "lookup_order" }, [
      { tool: "lookup", input: { orderId: "o-3" } },
    ]);
    const runtimeContext = new RuntimeContext();
    runtimeContext.set("sessionId", session.id);
    await agent.generate("x", { runtimeContext });
    expect(lookup.runs).toHaveLength(1);
    expect(await cp.listProposals({ sessionId: session.id })).toHaveLength(1);
  });

  it("accepts any object shaped like a Mastra tool, and rejects one without execute", async () => {
    const { cp, session } = await setup();
    const plain = {
      id: "echo",
      description: "echo",
      inputSchema: z.object({ orderId: z.string() }),
      execute: async ({ context }: { context: OrderInput }) => ({ echoed: context.orderId }),
    };
    const governed = governMastraTool(cp, plain, { action: "lookup_order", sessionId: session.id });
    expect(await governed.execute({ context: { orderId: "o-8" } })).toEqual({ echoed: "o-8" });
    expect(await cp.listProposals({ sessionId: session.id })).toHaveLength(1);
    expect(() => governMastraTool(cp, { id: "x", description: "x" }, { action: "lookup_order" })).toThrow(
      /tool\.execute/,
    );
  });
});
