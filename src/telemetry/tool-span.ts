import type { Decision } from "../control-plane/decision.js";

/** What an `execute_tool` span records (GenAI semantic conventions plus the control plane's decision). */
export interface ToolSpanInfo {
  readonly toolName: string;
  readonly callId?: string | undefined;
  readonly description?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly agentId?: string | undefined;
}

/** An open `execute_tool` span. */
export interface ToolSpan {
  /** Adds the decision's attributes (outcome, code, tier, risk, proposal, ticket). */
  setDecision(decision: Decision): void;
  /** Records an error (status ERROR, `error.type`). */
  fail(error: unknown): void;
}

/**
 * Runs `fn` inside an `execute_tool {toolName}` span, a child of the caller's active span. With no
 * OpenTelemetry SDK registered this costs one no-op call.
 * (Skeleton: the telemetry work fills this in; until then it only calls `fn`.)
 */
export async function withToolSpan<T>(info: ToolSpanInfo, fn: (span: ToolSpan) => Promise<T>): Promise<T> {
  void info;
  return fn(NO_SPAN);
}

const NO_SPAN: ToolSpan = {
  setDecision() {},
  fail() {},
};
