import { generateText, streamText, wrapLanguageModel } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { afterEach, describe, expect, it } from "vitest";
import { GovernanceRefusal, governModelCalls } from "../../../src/adapters/ai-sdk/index.js";
import {
  type ControlPlane,
  createControlPlane,
  type ProposalInput,
  ValidationError,
} from "../../../src/index.js";
import { createMemoryStorage } from "../../../src/storage/memory/memory-storage.js";
import { scriptedModel } from "./scripted-model.js";

const POLICY = {
  version: 1,
  actions: {
    autoApprove: ["model_call"],
    blocked: ["frontier_model_call"],
    alwaysApprove: ["gated_model_call"],
  },
} as const;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ cp: ControlPlane; sessionId: string }> {
  const storage = createMemoryStorage();
  const cp = await createControlPlane({ storage, policy: POLICY });
  cleanups.push(
    () => storage.close(),
    () => cp.close(),
  );
  return { cp, sessionId: (await cp.openSession({ name: "model calls" })).id };
}

function streamingModel(): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    modelId: "mock-stream",
    doStream: async () => ({
      stream: new ReadableStream({
        start(c) {
          c.enqueue({ type: "text-start", id: "t" });
          c.enqueue({ type: "text-delta", id: "t", delta: "hello " });
          c.enqueue({ type: "text-delta", id: "t", delta: "world" });
          c.enqueue({ type: "text-end", id: "t" });
          c.enqueue({
            type: "finish",
            finishReason: { unified: "stop", raw: "stop" },
            usage: {
              inputTokens: { total: 7, noCache: 7, cacheRead: 0, cacheWrite: 0 },
              outputTokens: { total: 2, text: 2, reasoning: 0 },
            },
          });
          c.close();
        },
      }),
    }),
  });
}

describe("governModelCalls (wrapLanguageModel middleware)", () => {
  it("proposes the model call with its model id and estimate, then completes it with the tokens used", async () => {
    const { cp, sessionId } = await setup();
    const inner = scriptedModel([{ text: "hi" }], "gpt-test");
    const proposed: ProposalInput[] = [];
    const recording = new Proxy(cp, {
      get: (target, key) =>
        key === "propose"
          ? (input: ProposalInput) => {
              proposed.push(input);
              return target.propose(input);
            }
          : Reflect.get(target, key),
    });
    const model = wrapLanguageModel({
      model: inner,
      middleware: governModelCalls(recording, { sessionId, identity: { orgId: "acme" } }),
    });
    const result = await generateText({ model, prompt: "say hi", maxOutputTokens: 50 });
    expect(proposed).toHaveLength(1);
    expect(proposed[0]?.model).toMatchObject({
      model: "gpt-test",
      identity: { orgId: "acme" },
      outputTokens: 50,
    });
    expect(proposed[0]?.model?.inputTokens).toBeGreaterThan(0);
    expect(result.text).toBe("hi");
    expect(inner.doGenerateCalls).toHaveLength(1);
    const [p] = await cp.listProposals({ sessionId });
    expect(p).toMatchObject({ action: "model_call", status: "succeeded", code: "auto_approved" });
    expect(p?.output).toEqual({ inputTokens: 10, outputTokens: 5 });
  });

  it("does not call the model when the control plane denies it (kill switch), and says why", async () => {
    const { cp, sessionId } = await setup();
    const inner = scriptedModel([{ text: "never" }]);
    const model = wrapLanguageModel({ model: inner, middleware: governModelCalls(cp, { sessionId }) });
    await cp.kill({ scope: "session", sessionId, reason: "cost spike" });
    const error = await generateText({ model, prompt: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GovernanceRefusal);
    expect(error).toMatchObject({ status: "refused", code: "kill_switch" });
    expect((error as Error).message).toContain("cost spike");
    expect(inner.doGenerateCalls).toHaveLength(0);
  });

  it("refuses a blocked model action and reports a pending approval with its ticket", async () => {
    const { cp, sessionId } = await setup();
    const inner = scriptedModel([{ text: "never" }]);
    const blocked = wrapLanguageModel({
      model: inner,
      middleware: governModelCalls(cp, { sessionId, action: "frontier_model_call" }),
    });
    await expect(generateText({ model: blocked, prompt: "x" })).rejects.toMatchObject({
      code: "blocked_action",
    });
    const gated = wrapLanguageModel({
      model: inner,
      middleware: governModelCalls(cp, { sessionId, action: "gated_model_call" }),
    });
    const pending = (await generateText({ model: gated, prompt: "x" }).catch(
      (e: unknown) => e,
    )) as GovernanceRefusal;
    expect(pending.status).toBe("pending_approval");
    expect((await cp.getTicket(pending.ticketId ?? "")).status).toBe("pending");
    expect(inner.doGenerateCalls).toHaveLength(0);
  });

  it("waits for an operator within approvalWaitMs, then calls the model once", async () => {
    const { cp, sessionId } = await setup();
    const inner = scriptedModel([{ text: "approved answer" }]);
    const model = wrapLanguageModel({
      model: inner,
      middleware: governModelCalls(cp, { sessionId, action: "gated_model_call", approvalWaitMs: 30_000 }),
    });
    const run = generateText({ model, prompt: "x" });
    let tickets = await cp.listTickets({ sessionId, statuses: ["pending"] });
    while (tickets.length === 0) {
      await new Promise((r) => setTimeout(r, 5));
      tickets = await cp.listTickets({ sessionId, statuses: ["pending"] });
    }
    await cp.approve(tickets[0]?.id ?? "", { decidedBy: "ops" });
    expect((await run).text).toBe("approved answer");
    expect(inner.doGenerateCalls).toHaveLength(1);
  });

  it("governs streamed calls and completes them when the stream ends", async () => {
    const { cp, sessionId } = await setup();
    const model = wrapLanguageModel({
      model: streamingModel(),
      middleware: governModelCalls(cp, { sessionId }),
    });
    const result = streamText({ model, prompt: "greet" });
    expect(await result.text).toBe("hello world");
    await result.consumeStream();
    const [p] = await cp.listProposals({ sessionId });
    expect(p).toMatchObject({
      action: "model_call",
      status: "succeeded",
      output: { inputTokens: 7, outputTokens: 2 },
    });
  });

  it("rejects a bad estimate through the control plane's validation, without calling the model", async () => {
    const { cp, sessionId } = await setup();
    const inner = scriptedModel([{ text: "never" }]);
    const model = wrapLanguageModel({
      model: inner,
      middleware: governModelCalls(cp, { sessionId, estimate: () => ({ inputTokens: -1, outputTokens: 1 }) }),
    });
    await expect(generateText({ model, prompt: "x" })).rejects.toThrow(/model\.inputTokens/);
    expect(inner.doGenerateCalls).toHaveLength(0);
  });

  it("rejects bad options eagerly, naming each one", async () => {
    const { cp } = await setup();
    const bad = () => governModelCalls(cp, { sessionId: " ", action: "", defaultOutputTokens: -1 });
    expect(bad).toThrow(ValidationError);
    expect(bad).toThrow(/sessionId[\s\S]*action[\s\S]*defaultOutputTokens/);
  });
});
