import type { RiskLevel } from "./risk.js";
import type { ActionTier } from "./tier.js";

/** The four outcomes a proposal can get. */
export const OUTCOMES = ["allowed", "denied", "pending_approval", "steered"] as const;
/** One of {@link OUTCOMES}. */
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Stable machine codes for decisions. A code never changes meaning; reasons are for humans.
 */
export const DECISION_CODES = [
  // allowed
  "auto_approved",
  "unrestricted",
  "approval_scope",
  "approved",
  // pending
  "approval_required",
  // steered
  "steered",
  // denied
  "blocked_action",
  "unlisted_action",
  "asset_scope",
  "unknown_agent",
  "not_session_agent",
  "missing_capability",
  "evaluator_denied",
  "budget_exhausted",
  "resource_locked",
  "kill_switch",
  "session_not_executable",
  "approval_denied",
  "approval_expired",
  "token_budget_exceeded",
  "model_not_allowed",
  "model_price_unknown",
] as const;
/** One of {@link DECISION_CODES}. */
export type DecisionCode = (typeof DECISION_CODES)[number];

/** How the policy engine resolved the tier (the original's resolution steps, plus our own). */
export type ResolutionStep =
  | "explicit_assignment"
  | "policy_list_match"
  | "risk_tier_match"
  | "capability_match"
  | "condition_tree"
  | "unlisted_default";

/** One line of an explain trace: which step looked at the proposal and what it concluded. */
export interface TraceEntry {
  readonly step: string;
  readonly result: string;
  readonly detail?: string;
}

/** Guidance returned with a `steer` decision. */
export interface SteeringContext {
  readonly guidance: string;
  readonly suggestedActions: readonly string[];
  readonly maxRetries: number;
}

/**
 * The pure routing decision of the decision core (policy + conditions + evaluators + router), before any
 * stateful step (kill switch, approval scope, budget, lock). `verdict` maps to an outcome:
 * `allow` → allowed, `deny` → denied, `approve` → needs a human (pending_approval), `steer` → steered.
 */
export type RoutingDecision =
  | RoutingDecisionBase<"allow", "auto_approved" | "unrestricted">
  | RoutingDecisionBase<"approve", "approval_required">
  | (RoutingDecisionBase<"steer", "steered"> & { readonly steering: SteeringContext })
  | RoutingDecisionBase<
      "deny",
      | "blocked_action"
      | "unlisted_action"
      | "asset_scope"
      | "unknown_agent"
      | "missing_capability"
      | "evaluator_denied"
      | "model_not_allowed"
    >;

/** Fields shared by every {@link RoutingDecision} variant. */
export interface RoutingDecisionBase<V extends string, C extends DecisionCode> {
  readonly verdict: V;
  readonly code: C;
  readonly tier: ActionTier;
  readonly riskLevel: RiskLevel;
  readonly reason: string;
  readonly step: ResolutionStep;
  readonly trace: readonly TraceEntry[];
  /** Non-blocking findings (for example an unknown agent in warn-only mode). */
  readonly warnings: readonly string[];
}
