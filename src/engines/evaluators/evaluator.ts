import type { ValidationIssue } from "../../errors/validation-error.js";
import type { JsonObject } from "../../types/json.js";
import type { Proposal } from "../../types/proposal.js";

/** What an evaluator concludes about one proposal. */
export interface EvaluatorResult {
  readonly allow: boolean;
  readonly reason: string;
  readonly metadata?: JsonObject | undefined;
}

/** What an evaluator receives besides the proposal. */
export interface EvaluatorContext {
  /** The validated configuration of this evaluator instance (frozen; safe to use as a cache key). */
  readonly config: JsonObject;
  /** Aborted when the evaluator timed out, another evaluator denied, or the caller gave up. */
  readonly signal: AbortSignal;
  /** The instance name from the policy (`evaluators[].name`), or the type for an ad-hoc tree leaf. */
  readonly name: string;
}

/**
 * A pluggable check run on proposals that could be allowed. An evaluator is registered under its `type`; a policy
 * lists instances `{ name, type, config, timeoutMs }`. Throwing, timing out or returning a malformed result all
 * count as a deny.
 * @example
 * const businessHours: Evaluator = {
 *   type: "business-hours",
 *   evaluate: () => {
 *     const h = new Date().getUTCHours();
 *     return h >= 8 && h < 18 ? { allow: true, reason: "inside hours" } : { allow: false, reason: "outside hours" };
 *   },
 * };
 */
export interface Evaluator {
  readonly type: string;
  readonly description?: string | undefined;
  /** Checks a configuration when the policy loads; returns problems with paths relative to the config object. */
  validateConfig?(config: JsonObject): readonly ValidationIssue[];
  evaluate(proposal: Proposal, context: EvaluatorContext): EvaluatorResult | Promise<EvaluatorResult>;
}

/** True when `value` has the shape of an {@link Evaluator}. */
export function isEvaluator(value: unknown): value is Evaluator {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.type === "string" &&
    v.type.trim() !== "" &&
    typeof v.evaluate === "function" &&
    (v.validateConfig === undefined || typeof v.validateConfig === "function")
  );
}
