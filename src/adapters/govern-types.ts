import type { Decision } from "../control-plane/decision.js";
import type { JsonObject } from "../types/json.js";

/**
 * One call of a governed tool as the framework hands it over. `callId` is the framework's id of the call
 * (AI SDK `toolCallId`, OpenAI Agents `callId`, LangChain `tool_call.id`, Mastra's): the same id gives the same
 * proposal, so a framework calling its approval hook and then `execute` for one call proposes once and runs once.
 */
export interface ToolCallContext {
  /** The framework's id of this call; without one every call is new. */
  readonly callId?: string | undefined;
  /** The control-plane session of the call, when the mapping does not name one. */
  readonly sessionId?: string | undefined;
  /** The agent of the call, when the mapping does not name one. */
  readonly agentId?: string | undefined;
  /** Aborted when the framework cancels the run: an approval wait stops, a running tool is aborted. */
  readonly signal?: AbortSignal | undefined;
}

/** What a governed tool's function receives besides its arguments. */
export interface GovernedExecution {
  /** Fires when a kill switch covering the call engages (or the framework cancels): stop the side effect. */
  readonly signal: AbortSignal;
  /** The allowed proposal being executed. */
  readonly proposalId: string;
  readonly callId: string | undefined;
}

/** A value of the mapping: fixed, or read from the call's arguments. */
export type FromArgs<A, T> = T | ((args: A, call: ToolCallContext) => T);

/**
 * How a tool call becomes a proposal. `action` is required; `sessionId` comes from here or from the call
 * context. Functions read the call's arguments.
 * @example
 * { action: "send_email", sessionId: session.id, resourceId: (a) => a.to, cost: "0.01" }
 */
export interface ToolMapping<A> {
  readonly action: FromArgs<A, string>;
  readonly sessionId?: FromArgs<A, string | Promise<string>>;
  readonly agentId?: FromArgs<A, string | undefined>;
  readonly resourceId?: FromArgs<A, string | undefined>;
  readonly resourceType?: FromArgs<A, string | undefined>;
  /** Estimated cost in currency units (number or decimal string). */
  readonly cost?: FromArgs<A, number | string | undefined>;
  /** The actual cost, read from the tool's output (default: the estimate). */
  readonly actualCost?: (output: unknown, args: A) => number | string | undefined;
  /** The arguments recorded in the proposal (default: the call's arguments, which must be a JSON object). */
  readonly args?: (args: A) => JsonObject;
  readonly metadata?: JsonObject;
  /** How long a call waits for an operator's decision before it returns `pending_approval` (default 0). */
  readonly approvalWaitMs?: number;
  /** Interval of lease heartbeats while the tool runs (default 10 s). */
  readonly heartbeatMs?: number;
  /** How often the feed is read for kill switches while a call runs (default 200 ms). */
  readonly killPollMs?: number;
  /** The tool's name in traces (default: the action). */
  readonly toolName?: string;
}

/** The control plane's answer before execution: run it, wait for a human, or refuse. */
export type GovernedDecision =
  | { readonly status: "allowed"; readonly decision: Decision }
  | {
      readonly status: "pending_approval";
      readonly ticketId: string;
      readonly decision: Decision;
      /** Text for the model: what waits for whom, and to retry the same call later. */
      readonly message: string;
    }
  | {
      readonly status: "refused";
      readonly decision: Decision;
      readonly code: string;
      readonly reason: string;
      /** Text for the model: refused, why, and whether retrying helps. */
      readonly message: string;
    };

/** The result of a governed call: a value for every control-plane outcome; the tool's own error is rethrown. */
export type GovernedResult<R> =
  | { readonly status: "executed"; readonly output: R; readonly decision: Decision }
  | Exclude<GovernedDecision, { status: "allowed" }>
  | {
      /** Stopped mid-run by a kill switch or a cancellation: its outcome is recorded as unknown. */
      readonly status: "aborted";
      readonly decision: Decision;
      readonly reason: string;
      readonly message: string;
    };

/** A governed tool: `run` decides and executes; `decide` only asks (for a framework's approval hook). */
export interface GovernedTool<A, R> {
  /** Decides (same call id: same proposal), waits for approval up to `approvalWaitMs`, executes, completes. */
  run(args: A, call?: ToolCallContext): Promise<GovernedResult<R>>;
  /** Decides without executing (same call id: same proposal; a later `run` of that call reuses it). */
  decide(args: A, call?: ToolCallContext): Promise<GovernedDecision>;
  /**
   * Whether the control plane holds `ticketId` approved (never trust a framework's message history alone).
   * @throws NotFoundError for an unknown ticket.
   */
  isApproved(ticketId: string): Promise<boolean>;
}
