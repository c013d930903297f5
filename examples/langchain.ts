/**
 * A LangChain.js agent (`createAgent`) governed by the control plane with one middleware line.
 * Run it with `npx tsx examples/langchain.ts`. The model is LangChain's `fakeModel()` scripted to ask for three
 * tools, so the example runs offline; put your own chat model (e.g. `"openai:gpt-4.1"`) in its place.
 *
 * What it shows: an allowed lookup runs; a blocked tool reaches the model as an error; a refund waits for a
 * human as a LangGraph interrupt carrying the ticket id, an operator approves it in the control plane, and the
 * same thread resumes and runs the refund once.
 */
import { pathToFileURL } from "node:url";
import { Command, MemorySaver } from "@langchain/langgraph";
import { AIMessage, createAgent, fakeModel, HumanMessage, tool } from "langchain";
import { z } from "zod";
import { governToolCalls, pendingApprovals } from "../src/adapters/langchain/index.js";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createMemoryStorage } from "../src/storage/memory/memory-storage.js";

/** What the example did, step by step. */
export interface LangChainExampleReport {
  readonly lines: readonly string[];
  readonly refunds: number;
  readonly dropped: number;
  readonly ticketStatus: string;
  readonly proposals: readonly { action: string; status: string; code: string }[];
}

/** Runs the governed support agent and reports what happened. */
export async function runLangChainExample(): Promise<LangChainExampleReport> {
  const lines: string[] = [];
  const cp = await createControlPlane({
    storage: createMemoryStorage(),
    policy: {
      version: 1,
      executionMode: "live",
      actions: {
        autoApprove: ["lookup_order"],
        alwaysApprove: ["issue_refund"],
        blocked: ["drop_table"],
        unlisted: "deny",
      },
    },
  });
  try {
    const session = await cp.openSession({ name: "ticket #42", agentId: "support-bot" });
    let refunds = 0;
    let dropped = 0;
    const lookupOrder = tool(async ({ orderId }) => `order ${orderId}: 2 items, paid 40 EUR`, {
      name: "lookup_order",
      description: "Look up an order",
      schema: z.object({ orderId: z.string() }),
    });
    const issueRefund = tool(
      async ({ orderId, amount }) => {
        refunds++;
        return `refunded ${amount} EUR on ${orderId}`;
      },
      {
        name: "issue_refund",
        description: "Refund an order",
        schema: z.object({ orderId: z.string(), amount: z.number() }),
      },
    );
    const dropTable = tool(
      async ({ table }) => {
        dropped++;
        return `dropped ${table}`;
      },
      { name: "drop_table", description: "Drop a table", schema: z.object({ table: z.string() }) },
    );

    // Offline stand-in for a chat model: it asks for the three tools, then answers.
    const model = fakeModel()
      .respondWithTools([
        { name: "lookup_order", args: { orderId: "A-17" }, id: "call-1" },
        { name: "drop_table", args: { table: "orders" }, id: "call-2" },
      ])
      .respondWithTools([{ name: "issue_refund", args: { orderId: "A-17", amount: 40 }, id: "call-3" }])
      .respond(new AIMessage("Your refund of 40 EUR is on its way."));

    const agent = createAgent({
      model,
      tools: [lookupOrder, issueRefund, dropTable],
      middleware: [governToolCalls(cp, { sessionId: session.id, agentId: "support-bot" })], // the one line
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: "ticket-42" } };

    const first = await agent.invoke({ messages: [new HumanMessage("Refund order A-17 please")] }, config);
    for (const m of first.messages.filter((m) => m.getType() === "tool")) {
      lines.push(`tool: ${String(m.content).split("\n")[0]}`);
    }
    const [pending] = pendingApprovals(first);
    if (!pending) throw new Error("expected the refund to wait for an approval");
    lines.push(`paused: ${pending.toolCall.name} waits for ticket ${pending.ticketId}`);

    // An operator decides in the control plane (here in-process; the HTTP API, dashboard or CLI work alike).
    await cp.approve(pending.ticketId, { decidedBy: "olivia@example.com", reason: "order verified" });
    lines.push("operator approved the ticket");

    const done = await agent.invoke(new Command({ resume: { ticketId: pending.ticketId } }), config);
    lines.push(`tool: ${String(done.messages.findLast((m) => m.getType() === "tool")?.content)}`);
    lines.push(`agent: ${String(done.messages.at(-1)?.content)}`);

    const proposals = (await cp.listProposals({ sessionId: session.id }))
      .map((p) => ({ action: p.action, status: p.status, code: p.code }))
      .reverse();
    const ticketStatus = (await cp.getTicket(pending.ticketId)).status;
    return { lines, refunds, dropped, ticketStatus, proposals };
  } finally {
    await cp.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await runLangChainExample();
  for (const line of report.lines) console.log(line);
  for (const p of report.proposals) console.log(`proposal ${p.action}: ${p.status} (${p.code})`);
}
