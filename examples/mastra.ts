/**
 * Mastra example (`npx tsx examples/mastra.ts`): a Mastra agent whose refund tool is governed by the control
 * plane. The refund needs an operator: the run suspends (Mastra's own suspend/resume) with the ticket id, an
 * operator approves, the host resumes the run and the refund runs once. The model is a scripted stand-in (no
 * network); replace it with your provider's model, e.g. `openai("gpt-4o")`.
 */

import { pathToFileURL } from "node:url";
import { Mastra } from "@mastra/core";
import { Agent } from "@mastra/core/agent";
import { InMemoryStore } from "@mastra/core/storage";
import { createTool } from "@mastra/core/tools";
import { z } from "zod";
import { governMastraTool } from "../src/adapters/mastra/index.js";
import { createControlPlane, createMemoryStorage } from "../src/index.js";

/** A scripted LanguageModelV2 (what Mastra 0.24 drives): first a refund tool call, then an answer. */
function scriptedModel() {
  let step = 0;
  const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15 };
  const parts = () =>
    step++ === 0
      ? [
          {
            type: "tool-call",
            toolCallId: "call-1",
            toolName: "refund",
            input: JSON.stringify({ orderId: "A-1001", amount: 42 }),
          },
          { type: "finish", finishReason: "tool-calls", usage },
        ]
      : [
          { type: "text-start", id: "t" },
          { type: "text-delta", id: "t", delta: "Order A-1001 was refunded." },
          { type: "text-end", id: "t" },
          { type: "finish", finishReason: "stop", usage },
        ];
  return {
    specificationVersion: "v2" as const,
    provider: "example",
    modelId: "support-model",
    supportedUrls: {},
    doGenerate: async () => {
      throw new Error("this example streams");
    },
    doStream: async () => {
      const chunks = [{ type: "stream-start", warnings: [] }, ...parts()];
      return {
        stream: new ReadableStream({
          start(c) {
            for (const chunk of chunks) c.enqueue(chunk);
            c.close();
          },
        }),
      };
    },
  };
}

/** Runs the example and returns what it printed. */
export async function runMastraExample(): Promise<string[]> {
  const log: string[] = [];
  const storage = createMemoryStorage();
  const cp = await createControlPlane({
    storage,
    policy: { version: 1, actions: { alwaysApprove: ["issue_refund"] } },
  });
  const session = await cp.openSession({ name: "support chat", agentId: "support-bot" });

  const refund = createTool({
    id: "refund",
    description: "Refund an order",
    inputSchema: z.object({ orderId: z.string(), amount: z.number() }),
    execute: async ({ context }) => {
      log.push(`refund executed: ${context.orderId} ${context.amount}`);
      return { refunded: context.amount };
    },
  });
  const agent = new Agent({
    name: "support",
    instructions: "You help customers with their orders.",
    model: scriptedModel() as never,
    tools: { refund: governMastraTool(cp, refund, { action: "issue_refund", sessionId: session.id }) },
  });
  const mastra = new Mastra({ agents: { support: agent }, storage: new InMemoryStore(), logger: false });

  const run = await mastra.getAgent("support").stream("Please refund order A-1001.");
  let suspended: { toolCallId: string; ticketId: string } | undefined;
  for await (const chunk of run.fullStream) {
    if (chunk.type === "tool-call-suspended") {
      const { toolCallId, suspendPayload } = chunk.payload as {
        toolCallId: string;
        suspendPayload: { ticketId: string };
      };
      suspended = { toolCallId, ticketId: suspendPayload.ticketId };
      log.push(`run suspended: ticket ${suspended.ticketId}`);
    }
  }
  if (!suspended) throw new Error("expected the refund to wait for an operator");

  await cp.approve(suspended.ticketId, { decidedBy: "olivia@example.com", reason: "customer verified" });
  log.push(`operator approved ticket ${suspended.ticketId}`);
  const resumed = await mastra
    .getAgent("support")
    .resumeStream({ ticketId: suspended.ticketId }, { runId: run.runId, toolCallId: suspended.toolCallId });
  log.push(`model: ${await resumed.text}`);
  for (const p of await cp.listProposals({ sessionId: session.id }))
    log.push(`proposal ${p.action}: ${p.code} ${p.status}`);
  await cp.close();
  await storage.close();
  return log;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  console.log((await runMastraExample()).join("\n"));
