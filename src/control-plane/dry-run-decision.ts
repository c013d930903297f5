import type { CompiledPolicy } from "../engines/policy/compiled-policy.js";
import { parseProposal } from "../engines/router/parse-proposal.js";
import { type RouteContext, routeProposal } from "../engines/router/route-proposal.js";
import type {
  DecisionCode,
  Outcome,
  RoutingDecision,
  SteeringContext,
  TraceEntry,
} from "../types/decision.js";
import type { RiskLevel } from "../types/risk.js";
import type { ActionTier } from "../types/tier.js";

/** The session id a dry run uses when the proposal names none (nothing is looked up or stored). */
export const DRY_RUN_SESSION_ID = "dry-run";

/** What a policy would decide for a proposal, without any state (see {@link dryRunDecision}). */
export interface DryRunDecision {
  readonly outcome: Outcome;
  readonly code: DecisionCode;
  readonly reason: string;
  readonly riskLevel: RiskLevel;
  readonly tier: ActionTier;
  readonly trace: readonly TraceEntry[];
  readonly warnings: readonly string[];
  readonly steering?: SteeringContext;
}

const OUTCOME_BY_VERDICT: Readonly<Record<RoutingDecision["verdict"], Outcome>> = {
  allow: "allowed",
  deny: "denied",
  approve: "pending_approval",
  steer: "steered",
};

/**
 * Dry-runs a proposal against a policy: the pure decision core (proposal validation, agent identity when
 * `context.agent` is given, policy tier, risk, conditions and the policy's evaluators) with its trace. Nothing
 * is read or stored: no session, budget, resource lock, kill switch or approval scope is consulted, so a real
 * `propose` may still deny what this allows (for example for budget) — never the other way round for the
 * policy's own rules. Used by `acp policy test` and `POST /v1/policies/test`.
 * @throws ValidationError naming each bad proposal field (camelCase paths, as `parseProposal` names them).
 * @example
 * const d = await dryRunDecision(loadPolicy("examples/policy.yaml"), { action: "deploy", resourceId: "svc" });
 * d.outcome // "pending_approval"
 */
export async function dryRunDecision(
  policy: CompiledPolicy,
  proposal: Readonly<Record<string, unknown>>,
  context?: RouteContext,
): Promise<DryRunDecision> {
  const parsed = parseProposal({ sessionId: DRY_RUN_SESSION_ID, ...proposal });
  const routed = routeProposal(policy, parsed, context);
  const d = routed instanceof Promise ? await routed : routed;
  return {
    outcome: OUTCOME_BY_VERDICT[d.verdict],
    code: d.code,
    reason: d.reason,
    riskLevel: d.riskLevel,
    tier: d.tier,
    trace: d.trace,
    warnings: d.warnings,
    ...(d.verdict === "steer" ? { steering: d.steering } : {}),
  };
}
