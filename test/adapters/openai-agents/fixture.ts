import { appendFileSync } from "node:fs";
import { Agent, setTracingDisabled } from "@openai/agents";
import { z } from "zod";
import { type ScriptedCall, ScriptedModel } from "../../../examples/openai-agents-scripted-model.js";
import { governedTool } from "../../../src/adapters/openai-agents/index.js";
import type { ControlPlane } from "../../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../../src/control-plane/create-control-plane.js";
import { createSqliteStorage } from "../../../src/storage/sqlite/index.js";

// Never export traces to OpenAI: nothing leaves the machine in tests.
setTracingDisabled(true);

/** The policy of the adapter tests: one action per tier the tests exercise. */
export const AGENTS_POLICY = {
  version: 1,
  actions: {
    blocked: ["drop_database"],
    alwaysApprove: ["issue_refund"],
    autoApprove: ["get_weather", "long_task"],
    unlisted: "deny",
  },
  approvals: { timeout: "15m" },
} as const;

/** A control plane on a SQLite file (shared by the processes of a test). */
export async function fileControlPlane(path: string): Promise<{ cp: ControlPlane; close(): Promise<void> }> {
  const storage = await createSqliteStorage({ path });
  const cp = await createControlPlane({ storage, policy: AGENTS_POLICY });
  return {
    cp,
    async close() {
      await cp.close();
      await storage.close();
    },
  };
}

/** What the tools of {@link weatherAgent} did. */
export interface ToolLog {
  readonly runs: Record<string, number>;
  /** Reasons of the abort signals that fired in `long_task`. */
  readonly aborts: string[];
  /** Resolves when `long_task` started (its run count went up). */
  started: Promise<void>;
}

/**
 * An agent with four governed tools on a scripted model. `issue_refund` appends a line to `refundLog` (when
 * given) so that a test counts its executions across processes.
 */
export function weatherAgent(
  cp: ControlPlane,
  calls: readonly ScriptedCall[],
  options: { refundLog?: string } = {},
): { agent: Agent<{ sessionId: string }>; model: ScriptedModel; log: ToolLog } {
  let markStarted: () => void = () => {};
  const log: ToolLog = {
    runs: {},
    aborts: [],
    started: new Promise<void>((resolve) => {
      markStarted = resolve;
    }),
  };
  const ran = (name: string) => {
    log.runs[name] = (log.runs[name] ?? 0) + 1;
  };
  const model = new ScriptedModel(calls);
  const tools = [
    governedTool(
      cp,
      {
        name: "get_weather",
        description: "The weather in a city",
        parameters: z.object({ city: z.string() }),
        execute: async ({ city }) => {
          ran("get_weather");
          return `The weather in ${city} is sunny.`;
        },
      },
      { action: "get_weather", resourceId: (a) => a.city, cost: "0.01" },
    ),
    governedTool(
      cp,
      {
        name: "issue_refund",
        description: "Refunds an order",
        parameters: z.object({ orderId: z.string(), amount: z.number() }),
        execute: async ({ orderId, amount }) => {
          ran("issue_refund");
          if (options.refundLog) appendFileSync(options.refundLog, `${process.pid} ${orderId}\n`);
          return `Refunded ${amount} on order ${orderId}.`;
        },
      },
      { action: "issue_refund", resourceId: (a) => a.orderId, cost: (a) => a.amount },
    ),
    governedTool(
      cp,
      {
        name: "drop_database",
        description: "Drops a database",
        parameters: z.object({ name: z.string() }),
        execute: async () => {
          ran("drop_database");
          return "dropped";
        },
      },
      { action: "drop_database", resourceId: (a) => a.name },
    ),
    governedTool(
      cp,
      {
        name: "long_task",
        description: "Runs until it is stopped",
        parameters: z.object({ id: z.string() }),
        execute: async ({ id }, _context, details) => {
          ran("long_task");
          markStarted();
          const signal = details?.signal;
          if (!signal) throw new Error("long_task: no signal");
          await new Promise<void>((resolve) => {
            if (signal.aborted) resolve();
            signal.addEventListener("abort", () => resolve(), { once: true });
          });
          log.aborts.push(String(signal.reason instanceof Error ? signal.reason.message : signal.reason));
          // As a well-behaved tool does: stop the side effect and throw the signal's reason.
          throw signal.reason ?? new Error(`task ${id} aborted`);
        },
      },
      { action: "long_task", resourceId: (a) => a.id, killPollMs: 20 },
    ),
  ];
  const agent = new Agent<{ sessionId: string }>({
    name: "Assistant",
    instructions: "You are a helpful assistant.",
    model,
    tools,
  });
  return { agent, model, log };
}
