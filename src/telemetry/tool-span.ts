import type { Decision } from "../control-plane/decision.js";
import { INSTRUMENTATION_NAME, type OtelSpan, otelApi, SPAN_KIND_INTERNAL } from "./otel-api.js";
import { decisionAttributes, failSpan, presentAttributes, runInSpan } from "./span-attributes.js";

/** Values of `gen_ai.tool.type` (GenAI semantic conventions). */
export const TOOL_TYPES = ["function", "extension", "datastore"] as const;
/** One of {@link TOOL_TYPES}. */
export type ToolType = (typeof TOOL_TYPES)[number];

/** What an `execute_tool` span records (GenAI semantic conventions plus the control plane's decision). */
export interface ToolSpanInfo {
  readonly toolName: string;
  readonly callId?: string | undefined;
  readonly description?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly agentId?: string | undefined;
  /** `gen_ai.tool.type`: `function` (default: a tool run by the agent's own process) or `extension` (an MCP server's). */
  readonly type?: ToolType | undefined;
}

/** An open `execute_tool` span. */
export interface ToolSpan {
  /** Adds the decision's attributes (outcome, code, tier, risk, proposal, ticket). */
  setDecision(decision: Decision): void;
  /** Records an error (status ERROR, `error.type`). */
  fail(error: unknown): void;
}

/**
 * Runs `fn` inside an `execute_tool {toolName}` span, a child of the caller's active span, and active while
 * `fn` runs (so the `acp.propose` span of the call is its child). Attributes: `gen_ai.operation.name`
 * (`execute_tool`), `gen_ai.tool.name`, `gen_ai.tool.call.id`, `gen_ai.tool.type`, `gen_ai.tool.description`,
 * `acp.session.id`, `acp.agent.id`, and the decision's `acp.*` attributes through {@link ToolSpan.setDecision}.
 * A throw from `fn` is recorded (status ERROR, `error.type`) and rethrown. Without `@opentelemetry/api` this
 * only calls `fn`; with the API and no SDK it costs one no-op span.
 * @example
 * const result = await withToolSpan({ toolName: "search", callId }, async (span) => {
 *   const decision = await cp.propose(input);
 *   span.setDecision(decision);
 *   return decision.outcome === "allowed" ? run() : refuse(decision);
 * });
 */
export async function withToolSpan<T>(info: ToolSpanInfo, fn: (span: ToolSpan) => Promise<T>): Promise<T> {
  const api = otelApi();
  if (api === undefined) return fn(NO_SPAN);
  const span = api.trace.getTracer(INSTRUMENTATION_NAME).startSpan(`execute_tool ${info.toolName}`, {
    kind: SPAN_KIND_INTERNAL,
  });
  if (!span.isRecording()) {
    try {
      return await fn(NO_SPAN);
    } finally {
      span.end();
    }
  }
  span.setAttributes({
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": info.toolName,
    "gen_ai.tool.type": info.type ?? "function",
    ...presentAttributes({
      "gen_ai.tool.call.id": info.callId,
      "gen_ai.tool.description": info.description,
      "acp.session.id": info.sessionId,
      "acp.agent.id": info.agentId,
    }),
  });
  const handle = recordingSpan(span);
  try {
    return await runInSpan(api, span, () => fn(handle));
  } catch (error) {
    handle.fail(error);
    throw error;
  } finally {
    span.end();
  }
}

function recordingSpan(span: OtelSpan): ToolSpan {
  let failed = false;
  return {
    setDecision(decision) {
      span.setAttributes(decisionAttributes(decision));
    },
    fail(error) {
      if (failed) return;
      failed = true;
      failSpan(span, error);
    },
  };
}

const NO_SPAN: ToolSpan = {
  setDecision() {},
  fail() {},
};
