import type { RoutingDecision, TraceEntry } from "../../types/decision.js";
import type { Proposal } from "../../types/proposal.js";
import { RISK_RANK, type RiskLevel } from "../../types/risk.js";
import { MatchInputTooLongError } from "../conditions/safe-regex.js";
import type { EvaluatorRegistry } from "../evaluators/evaluator-registry.js";
import { type SessionRiskAssessment, sessionRiskTrace } from "../session-risk/assess-session-risk.js";
import type { CompiledPolicy } from "./compiled-policy.js";

/** Options of {@link evaluatePolicy}. */
export interface EvaluatePolicyOptions {
  /** Passed to evaluator leaves of `autoApprove.when`. */
  readonly signal?: AbortSignal | undefined;
  /** Overrides the registry evaluator leaves were bound to at load. */
  readonly evaluators?: EvaluatorRegistry | undefined;
  /** Trace entries to start with (the router passes its agent check); the array is appended to and returned. */
  readonly trace?: TraceEntry[] | undefined;
  readonly warnings?: readonly string[] | undefined;
  /**
   * The session's accumulated risk for this proposal (see `assessSessionRisk`): evaluated BEFORE the tier, so
   * an escalated risk decides the tier (auto-approval, `unlisted: risk`) and the decision's `riskLevel`.
   */
  readonly sessionRisk?: SessionRiskAssessment | undefined;
}

const NO_WARNINGS: readonly string[] = Object.freeze([]);

const T = (step: string, result: string, detail?: string): TraceEntry =>
  Object.freeze(detail === undefined ? { step, result } : { step, result, detail });

const TRACE = {
  blocked: T("tier", "blocked", "actions.blocked"),
  unlisted: T("tier", "blocked", "not in any list; actions.unlisted is deny"),
  asset: T("asset_scope", "blocked", "resource matches no assets.patterns; assets.scope is matched_only"),
  steer: T("tier", "steer", "actions.steer"),
  alwaysApprove: T("tier", "always_approve", "actions.alwaysApprove"),
  unrestricted: T("tier", "unrestricted", "actions.unrestricted"),
  autoApprove: T("tier", "auto_approve", "actions.autoApprove"),
  autoDenied: T("tier", "always_approve", "actions.autoApprove, auto-approval not granted"),
  unlistedApprove: T("tier", "always_approve", "not in any list; actions.unlisted is approve"),
  unlistedRiskHigh: T(
    "tier",
    "always_approve",
    "not in any list; actions.unlisted is risk and risk is above low",
  ),
  unlistedRiskAuto: T("tier", "auto_approve", "not in any list; actions.unlisted is risk"),
  unlistedRiskDenied: T(
    "tier",
    "always_approve",
    "not in any list; actions.unlisted is risk, auto-approval not granted",
  ),
  treeYes: T("auto_approve", "yes", "autoApprove.when"),
  treeNo: T("auto_approve", "no", "autoApprove.when"),
} as const;

type Kind = "list" | "unlisted";

function finishAuto(
  policy: CompiledPolicy,
  p: Proposal,
  risk: RiskLevel,
  can: boolean,
  viaTree: boolean,
  kind: Kind,
  trace: TraceEntry[],
  warnings: readonly string[],
): RoutingDecision {
  if (can) {
    trace.push(kind === "list" ? TRACE.autoApprove : TRACE.unlistedRiskAuto);
    return {
      verdict: "allow",
      code: "auto_approved",
      tier: "auto_approve",
      riskLevel: risk,
      reason: viaTree
        ? `Auto-approved by autoApprove.when (action=${p.action}, risk=${risk})`
        : `Auto-approved: risk ${risk} within autoApprove.maxRisk ${policy.internals.maxRisk} (action=${p.action})`,
      step: viaTree ? "condition_tree" : kind === "list" ? "policy_list_match" : "risk_tier_match",
      trace,
      warnings,
    };
  }
  trace.push(kind === "list" ? TRACE.autoDenied : TRACE.unlistedRiskDenied);
  return {
    verdict: "approve",
    code: "approval_required",
    tier: "always_approve",
    riskLevel: risk,
    reason: `Auto-approval not granted; ${risk} risk requires human approval (action=${p.action})`,
    step: viaTree ? "condition_tree" : kind === "list" ? "policy_list_match" : "risk_tier_match",
    trace,
    warnings,
  };
}

function auto(
  policy: CompiledPolicy,
  p: Proposal,
  risk: RiskLevel,
  kind: Kind,
  trace: TraceEntry[],
  warnings: readonly string[],
  options: EvaluatePolicyOptions | undefined,
): RoutingDecision | Promise<RoutingDecision> {
  const tree = policy.internals.autoApproveWhen;
  if (tree === undefined) {
    const rank = RISK_RANK[risk];
    trace.push(policy.internals.flatAutoTrace[rank]!);
    return finishAuto(policy, p, risk, policy.internals.flatAutoApprove[rank]!, false, kind, trace, warnings);
  }
  let r: boolean | Promise<boolean>;
  try {
    r = tree.evaluate(p, { risk, signal: options?.signal, evaluators: options?.evaluators });
  } catch (error) {
    return undecidedAuto(policy, p, risk, kind, trace, warnings, error);
  }
  if (typeof r === "boolean") {
    trace.push(r ? TRACE.treeYes : TRACE.treeNo);
    return finishAuto(policy, p, risk, r, true, kind, trace, warnings);
  }
  return r.then(
    (v) => {
      trace.push(v ? TRACE.treeYes : TRACE.treeNo);
      return finishAuto(policy, p, risk, v, true, kind, trace, warnings);
    },
    (error: unknown) => undecidedAuto(policy, p, risk, kind, trace, warnings, error),
  );
}

/** A tree that cannot be decided (text over the match limit) does not grant auto-approval. */
function undecidedAuto(
  policy: CompiledPolicy,
  p: Proposal,
  risk: RiskLevel,
  kind: Kind,
  trace: TraceEntry[],
  warnings: readonly string[],
  error: unknown,
): RoutingDecision {
  if (!(error instanceof MatchInputTooLongError)) throw error;
  trace.push(T("auto_approve", "no", `autoApprove.when: ${error.message}`));
  return finishAuto(policy, p, risk, false, true, kind, trace, warnings);
}

/**
 * The policy engine: risk level, action tier, reason, resolution step and explain trace for one proposal.
 * Order: blocked (or unlisted with `unlisted: deny`) → asset scope → the action's list, where an action in several
 * lists takes the first of steer > alwaysApprove > autoApprove > unrestricted → unlisted (approve | risk). Synchronous unless `autoApprove.when` has evaluator leaves.
 * Evaluators and the agent check are the router's job (`routeProposal`).
 * @example
 * const d = evaluatePolicy(policy, parseProposal({ sessionId: "s1", action: "deploy" }));
 */
export function evaluatePolicy(
  policy: CompiledPolicy,
  p: Proposal,
  options?: EvaluatePolicyOptions,
): RoutingDecision | Promise<RoutingDecision> {
  const internals = policy.internals;
  const trace = options?.trace ?? [];
  const warnings = options?.warnings ?? NO_WARNINGS;
  const riskEntry = internals.assessRisk(p);
  let risk = riskEntry.result;
  trace.push(riskEntry);
  const session = options?.sessionRisk;
  if (session !== undefined) {
    trace.push(sessionRiskTrace(session));
    if (RISK_RANK[session.risk] > RISK_RANK[risk]) risk = session.risk;
  }
  const kind = internals.actionKinds.get(p.action);

  if (kind === "blocked" || (kind === undefined && internals.unlisted === "deny")) {
    const listed = kind === "blocked";
    trace.push(listed ? TRACE.blocked : TRACE.unlisted);
    return {
      verdict: "deny",
      code: listed ? "blocked_action" : "unlisted_action",
      tier: "blocked",
      riskLevel: risk,
      reason: listed
        ? `Action blocked by policy (action=${p.action})`
        : `Unlisted action denied by policy (action=${p.action})`,
      step: listed ? "explicit_assignment" : "unlisted_default",
      trace,
      warnings,
    };
  }
  if (internals.matchedOnly && !internals.assetMatches(p)) {
    trace.push(TRACE.asset);
    return {
      verdict: "deny",
      code: "asset_scope",
      tier: "blocked",
      riskLevel: risk,
      reason: `Action blocked by asset scope (resource=${p.resourceId ?? "none"}, scope=matched_only)`,
      step: "capability_match",
      trace,
      warnings,
    };
  }
  switch (kind) {
    case "steer":
      trace.push(TRACE.steer);
      return {
        verdict: "steer",
        code: "steered",
        tier: "steer",
        riskLevel: risk,
        reason: `Action steered by policy (action=${p.action})`,
        step: "policy_list_match",
        trace,
        warnings,
        steering: internals.steering.get(p.action)!,
      };
    case "alwaysApprove":
      trace.push(TRACE.alwaysApprove);
      return {
        verdict: "approve",
        code: "approval_required",
        tier: "always_approve",
        riskLevel: risk,
        reason: `Action requires human approval by policy (action=${p.action}, risk=${risk})`,
        step: "policy_list_match",
        trace,
        warnings,
      };
    case "unrestricted":
      trace.push(TRACE.unrestricted);
      return {
        verdict: "allow",
        code: "unrestricted",
        tier: "unrestricted",
        riskLevel: risk,
        reason: `Unrestricted action allowed without approval (action=${p.action})`,
        step: "policy_list_match",
        trace,
        warnings,
      };
    case "autoApprove":
      return auto(policy, p, risk, "list", trace, warnings, options);
  }
  // Unlisted, with actions.unlisted = approve | risk.
  if (internals.unlisted === "risk" && risk === "low")
    return auto(policy, p, risk, "unlisted", trace, warnings, options);
  trace.push(internals.unlisted === "approve" ? TRACE.unlistedApprove : TRACE.unlistedRiskHigh);
  return {
    verdict: "approve",
    code: "approval_required",
    tier: "always_approve",
    riskLevel: risk,
    reason: `Unlisted action requires human approval (action=${p.action}, risk=${risk})`,
    step: internals.unlisted === "approve" ? "unlisted_default" : "risk_tier_match",
    trace,
    warnings,
  };
}

/** The risk level of a proposal under a policy (the policy's classifier, or the host's). */
export function classifyRisk(policy: CompiledPolicy, proposal: Proposal): RiskLevel {
  return policy.internals.assessRisk(proposal).result;
}
