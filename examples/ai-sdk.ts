/**
 * AI SDK example (`npx tsx examples/ai-sdk.ts`): a support agent whose tools and model calls are governed by the
 * control plane. Looking up an order is auto-approved; a refund waits for an operator, surfaces as the AI SDK's
 * own approval request, and runs once after `cp.approve`. The model is the AI SDK's MockLanguageModelV3 (no
 * network); replace it with your provider's model, e.g. `openai("gpt-4o")`.
 */

import { pathToFileURL } from "node:url";
import { generateText, type ModelMessage, stepCountIs, tool, wrapLanguageModel } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { z } from "zod";
import { governAiTool, governModelCalls } from "../src/adapters/ai-sdk/index.js";
import { createControlPlane, createMemoryStorage } from "../src/index.js";

const usage = {
  inputTokens: { total: 12, noCache: 12, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 8, text: 8, reasoning: 0 },
};

/** A scripted stand-in for a real model: look up the order, refund it, then answer. */
function scriptedModel(): MockLanguageModelV3 {
  const calls = [
    { toolCallId: "call-1", toolName: "lookupOrder", input: { orderId: "A-1001" } },
    { toolCallId: "call-2", toolName: "refund", input: { orderId: "A-1001", amount: 42 } },
  ];
  let step = 0;
  return new MockLanguageModelV3({
    modelId: "support-model",
    doGenerate: async () => {
      const call = calls[step++];
      return call
        ? {
            content: [{ type: "tool-call", ...call, input: JSON.stringify(call.input) }],
            finishReason: { unified: "tool-calls", raw: "tool_calls" },
            usage,
            warnings: [],
          }
        : {
            content: [{ type: "text", text: "Order A-1001 was refunded." }],
            finishReason: { unified: "stop", raw: "stop" },
            usage,
            warnings: [],
          };
    },
  });
}

/** Runs the example and returns what it printed. */
export async function runAiSdkExample(): Promise<string[]> {
  const log: string[] = [];
  const storage = createMemoryStorage();
  const cp = await createControlPlane({
    storage,
    policy: {
      version: 1,
      actions: { autoApprove: ["lookup_order", "model_call"], alwaysApprove: ["issue_refund"] },
    },
  });
  const session = await cp.openSession({ name: "support chat", agentId: "support-bot" });

  const lookupOrder = tool({
    description: "Look up an order",
    inputSchema: z.object({ orderId: z.string() }),
    execute: async ({ orderId }) => ({ orderId, status: "delivered", total: 42 }),
  });
  const refund = tool({
    description: "Refund an order",
    inputSchema: z.object({ orderId: z.string(), amount: z.number() }),
    execute: async ({ orderId, amount }) => {
      log.push(`refund executed: ${orderId} ${amount}`);
      return { refunded: amount };
    },
  });

  const tools = {
    lookupOrder: governAiTool(cp, lookupOrder, { action: "lookup_order", sessionId: session.id }),
    refund: governAiTool(cp, refund, {
      action: "issue_refund",
      sessionId: session.id,
      resourceId: (a) => a.orderId,
      onApprovalRequested: (r) => {
        log.push(`approval requested: ticket ${r.ticketId}`);
      },
    }),
  };
  const model = wrapLanguageModel({
    model: scriptedModel(),
    middleware: governModelCalls(cp, { sessionId: session.id }),
  });

  const messages: ModelMessage[] = [{ role: "user", content: "Please refund order A-1001." }];
  const first = await generateText({ model, tools, messages, stopWhen: stepCountIs(5) });
  const request = first.content.find((p) => p.type === "tool-approval-request");
  if (!request) throw new Error("expected an approval request");
  const [ticket] = await cp.listTickets({ sessionId: session.id, statuses: ["pending"] });
  await cp.approve(ticket?.id ?? "", { decidedBy: "olivia@example.com", reason: "customer verified" });
  log.push(`operator approved ticket ${ticket?.id}`);

  messages.push(...first.response.messages, {
    role: "tool",
    content: [{ type: "tool-approval-response", approvalId: request.approvalId, approved: true }],
  });
  const second = await generateText({ model, tools, messages, stopWhen: stepCountIs(5) });
  log.push(`model: ${second.text}`);
  for (const p of [...(await cp.listProposals({ sessionId: session.id }))].reverse())
    log.push(`proposal ${p.action}: ${p.code} ${p.status}`);
  await cp.close();
  await storage.close();
  return log;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  console.log((await runAiSdkExample()).join("\n"));
