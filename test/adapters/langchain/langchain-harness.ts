import type { BaseMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { AIMessage, createAgent, fakeModel, tool } from "langchain";
import { afterEach, beforeEach } from "vitest";
import { z } from "zod";
import { governToolCalls } from "../../../src/adapters/langchain/index.js";
import type { GovernToolCallsOptions } from "../../../src/adapters/langchain/middleware-options.js";
import type { ControlPlane } from "../../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../../src/control-plane/create-control-plane.js";
import type { OpenSessionInput } from "../../../src/control-plane/session-api.js";
import { createMemoryStorage } from "../../../src/storage/memory/memory-storage.js";

/** The policy of the LangChain adapter tests: one tool per tier, anything else denied. */
export const LANGCHAIN_POLICY = {
  version: 1,
  executionMode: "live",
  actions: {
    blocked: ["delete_database"],
    alwaysApprove: ["send_payment"],
    autoApprove: ["search", "long_job"],
    unlisted: "deny",
  },
  approvals: { timeout: "15m" },
} as const;

/** A tool call the fake model asks for. */
export interface FakeCall {
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly id: string;
}

/** A deferred promise. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The tools of the tests, each counting its runs; `long_job` runs until its signal aborts. */
export function makeTools() {
  const runs = { search: 0, send_payment: 0, delete_database: 0, long_job: 0 };
  const longJob = { started: deferred(), abortedWith: undefined as unknown, sawAbort: false };
  const search = tool(
    async ({ query }: { query: string }) => {
      runs.search++;
      return `results for ${query}`;
    },
    { name: "search", description: "Search the knowledge base", schema: z.object({ query: z.string() }) },
  );
  const sendPayment = tool(
    async ({ to, amount }: { to: string; amount: number }) => {
      runs.send_payment++;
      return `paid ${amount} to ${to}`;
    },
    {
      name: "send_payment",
      description: "Send a payment",
      schema: z.object({ to: z.string(), amount: z.number() }),
    },
  );
  const deleteDatabase = tool(
    async ({ name }: { name: string }) => {
      runs.delete_database++;
      return `dropped ${name}`;
    },
    { name: "delete_database", description: "Drop a database", schema: z.object({ name: z.string() }) },
  );
  const long = tool(
    async (_input: { steps: number }, config) => {
      runs.long_job++;
      const signal = config.signal;
      longJob.started.resolve();
      await new Promise<void>((_, reject) => {
        const onAbort = () => {
          longJob.sawAbort = true;
          longJob.abortedWith = signal?.reason;
          reject(signal?.reason ?? new Error("aborted"));
        };
        if (signal?.aborted) onAbort();
        else signal?.addEventListener("abort", onAbort, { once: true });
      });
      return "finished";
    },
    { name: "long_job", description: "A long job", schema: z.object({ steps: z.number() }) },
  );
  return { runs, longJob, tools: [search, sendPayment, deleteDatabase, long] };
}

/** A fake model answering each turn with the given tool calls (one array per turn), then with `final`. */
export function scriptedModel(turns: readonly (readonly FakeCall[])[], final = "done") {
  const model = fakeModel();
  for (const calls of turns) model.respondWithTools(calls.map((c) => ({ ...c })));
  model.respond(new AIMessage(final));
  return model;
}

/** The messages the model was given on its `i`-th call (0-based). */
export function seenBy(model: ReturnType<typeof fakeModel>, i: number): BaseMessage[] {
  const call = model.calls[i];
  if (!call) throw new Error(`the model was called ${model.calls.length} times, not ${i + 1}`);
  return call.messages;
}

/** The tool message answering `callId` among `messages`. */
export function toolMessageFor(messages: readonly BaseMessage[], callId: string) {
  const found = messages.find(
    (m) => m.getType() === "tool" && (m as unknown as { tool_call_id: string }).tool_call_id === callId,
  );
  if (!found) throw new Error(`no tool message for ${callId}`);
  return found as BaseMessage & {
    status?: string;
    artifact?: { controlPlane?: { status: string; code: string; proposalId: string } };
  };
}

/** Per test: a control plane on memory storage with {@link LANGCHAIN_POLICY}, closed after the test. */
export function useLangChainHarness() {
  let cp: ControlPlane | undefined;
  beforeEach(async () => {
    cp = await createControlPlane({ storage: createMemoryStorage(), policy: LANGCHAIN_POLICY });
  });
  afterEach(async () => {
    await cp?.close();
    cp = undefined;
  });
  const get = () => {
    if (!cp) throw new Error("only inside a test");
    return cp;
  };
  return {
    cp: get,
    /** Opens a session and builds an agent on it with the governing middleware and a MemorySaver. */
    async agent(
      model: ReturnType<typeof fakeModel>,
      options: { session?: OpenSessionInput; middleware?: Omit<GovernToolCallsOptions, "sessionId"> } = {},
    ) {
      const session = await get().openSession(options.session ?? {});
      const t = makeTools();
      const agent = createAgent({
        model,
        tools: t.tools,
        middleware: [
          governToolCalls(get(), {
            sessionId: session.id,
            defaults: { killPollMs: 10 },
            ...options.middleware,
          }),
        ],
        checkpointer: new MemorySaver(),
      });
      return { agent, session, ...t };
    },
  };
}
