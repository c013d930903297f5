/**
 * `npx tsx examples/openai-agents.ts`: an `@openai/agents` agent whose tools are governed by the control plane.
 * A weather lookup is allowed and runs; a refund needs an operator: the run stops at an interruption, the
 * operator approves the ticket, the interruption is resolved from the control plane and the run resumes; a
 * database drop is blocked and the model is told why. A scripted model stands in for the LLM (no API key).
 */
import { fileURLToPath } from "node:url";
import { Agent, RunState, run, setTracingDisabled } from "@openai/agents";
import { z } from "zod";
import { approvalRequests, governedTool, resolveInterruptions } from "../src/adapters/openai-agents/index.js";
import { createControlPlane, createMemoryStorage } from "../src/index.js";
import { ScriptedModel } from "./openai-agents-scripted-model.js";

/** Runs the example and returns what happened, one line per step. */
export async function runOpenAIAgentsExample(): Promise<string[]> {
  setTracingDisabled(true); // keep traces on this machine
  const lines: string[] = [];
  const storage = createMemoryStorage();
  const cp = await createControlPlane({
    storage,
    policy: {
      version: 1,
      actions: { autoApprove: ["get_weather"], alwaysApprove: ["issue_refund"], blocked: ["drop_database"] },
    },
  });
  const session = await cp.openSession({ agentId: "support-agent", budget: { maxCost: "100" } });

  const getWeather = governedTool(
    cp,
    {
      name: "get_weather",
      description: "Returns the weather in a city",
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => `It is sunny in ${city}.`,
    },
    { action: "get_weather", resourceId: (a) => a.city },
  );
  const issueRefund = governedTool(
    cp,
    {
      name: "issue_refund",
      description: "Refunds an order",
      parameters: z.object({ orderId: z.string(), amount: z.number() }),
      execute: async ({ orderId, amount }) => `Refunded ${amount} on ${orderId}.`,
    },
    { action: "issue_refund", resourceId: (a) => a.orderId, cost: (a) => a.amount },
  );
  const dropDatabase = governedTool(
    cp,
    {
      name: "drop_database",
      description: "Drops a database",
      parameters: z.object({ name: z.string() }),
      execute: async ({ name }) => `Dropped ${name}.`,
    },
    { action: "drop_database", resourceId: (a) => a.name },
  );

  const model = new ScriptedModel([
    { tool: "get_weather", args: { city: "Lisbon" } },
    { tool: "issue_refund", args: { orderId: "A-1001", amount: 25 } },
    { tool: "drop_database", args: { name: "orders" } },
  ]);
  const agent = new Agent<{ sessionId: string }>({
    name: "Support agent",
    instructions: "Help the customer.",
    model,
    tools: [getWeather, issueRefund, dropDatabase],
  });

  // 1. The run stops at the refund: the control plane opened a ticket for it.
  const first = await run(agent, "Check the weather, refund A-1001, then clean up.", {
    context: { sessionId: session.id },
  });
  const requests = await approvalRequests(first);
  for (const r of requests) lines.push(`interrupted: ${r.toolName} waits for ticket ${r.ticketId}`);
  // What a host persists (a database row, a queue message): another process can resume from it.
  const saved = {
    state: first.state.toString(),
    tickets: requests.map(({ callId, ticketId }) => ({ callId, ticketId })),
  };

  // 2. An operator approves (the dashboard, `acp tickets approve`, or the facade).
  for (const r of requests)
    await cp.approve(r.ticketId, { decidedBy: "olivia@example.com", reason: "verified" });

  // 3. Resume: the interruption is resolved from the ticket, never from the model.
  const state = await RunState.fromString(agent, saved.state);
  for (const r of await resolveInterruptions(state, saved.tickets))
    lines.push(`resolved: ${r.toolName} ${r.status}`);
  const done = await run(agent, state);
  for (const seen of model.lastSeen) lines.push(`model read: ${seen.name} -> ${seen.output}`);
  lines.push(`final: ${String(done.finalOutput).split("\n").length} tool results`);
  for (const p of await cp.listProposals({ sessionId: session.id })) {
    lines.push(`proposal: ${p.action} ${p.status} (${p.code})`);
  }
  await cp.close();
  await storage.close();
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const line of await runOpenAIAgentsExample()) console.log(line);
}
