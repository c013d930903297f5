import type { JsonObject } from "./json.js";
import type { ModelCall, ModelCallInput } from "./model-call.js";

/**
 * What an agent's runtime proposes before a side effect: the input of `propose()`.
 * `action` is an open string, normalised (trimmed, lower-cased) and matched exactly.
 */
export interface ProposalInput {
  readonly sessionId: string;
  readonly agentId?: string | undefined;
  readonly action: string;
  readonly resourceId?: string | undefined;
  readonly resourceType?: string | undefined;
  readonly args?: JsonObject | undefined;
  /** Estimated cost in currency units: a non-negative number or decimal string (at most 6 fractional digits). */
  readonly cost?: number | string | undefined;
  readonly metadata?: JsonObject | undefined;
  readonly idempotencyKey?: string | undefined;
  /** An LLM call this proposal governs (model governor, token budgets). */
  readonly model?: ModelCallInput | undefined;
}

/** A validated, normalised proposal as the decision engines see it. */
export interface Proposal {
  readonly sessionId: string;
  readonly agentId: string | null;
  /** Normalised action name (trimmed, lower-case). */
  readonly action: string;
  readonly resourceId: string | null;
  readonly resourceType: string | null;
  readonly args: JsonObject;
  /** Estimated cost in micros (see `toMicros`). */
  readonly costMicros: number;
  /** Estimated cost in currency units, for comparisons in conditions. */
  readonly cost: number;
  readonly metadata: JsonObject;
  /** The governed LLM call, or `null` for a tool action. */
  readonly model: ModelCall | null;
}

/** Normalises an action name: trims and lower-cases. */
export function normalizeAction(action: string): string {
  return action.trim().toLowerCase();
}
