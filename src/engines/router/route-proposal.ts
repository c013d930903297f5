import type { AgentRecord } from "../../types/agent.js";
import type { RoutingDecision, TraceEntry } from "../../types/decision.js";
import type { Proposal } from "../../types/proposal.js";
import type { EvaluatorRegistry } from "../evaluators/evaluator-registry.js";
import { type EvaluatorTask, type ParallelEvaluation, runEvaluators } from "../evaluators/run-evaluators.js";
import { checkModelAccess } from "../model-governor/model-governor.js";
import type { CompiledPolicy } from "../policy/compiled-policy.js";
import { evaluatePolicy } from "../policy/evaluate-policy.js";
import { type SessionRiskAssessment, sessionRiskTrace } from "../session-risk/assess-session-risk.js";

/** How the router treats an unregistered agent or a missing capability. */
export const AGENT_POLICIES = ["enforce", "warn"] as const;
/** One of {@link AGENT_POLICIES}. */
export type AgentPolicy = (typeof AGENT_POLICIES)[number];

/** What the router needs besides the policy and the proposal. */
export interface RouteContext {
  /**
   * The proposing agent's record. `undefined`: no agent registry is consulted (no identity check);
   * `null`: a registry was consulted and the agent is not registered.
   */
  readonly agent?: AgentRecord | null | undefined;
  /** `enforce` (default): identity problems deny. `warn`: they are reported in `warnings` and the trace. */
  readonly agentPolicy?: AgentPolicy | undefined;
  /** Registry to take evaluator implementations from; default: the one the policy was loaded with. */
  readonly evaluators?: EvaluatorRegistry | undefined;
  /** Aborting it cancels running evaluators (the decision is then a deny). */
  readonly signal?: AbortSignal | undefined;
  /** Evaluators run at the same time (default 4). */
  readonly evaluatorConcurrency?: number | undefined;
  /** The session's accumulated risk for this proposal, assessed by the caller (see `assessSessionRisk`). */
  readonly sessionRisk?: SessionRiskAssessment | undefined;
}

const AGENT_OK: TraceEntry = Object.freeze({ step: "agent", result: "ok" });
const EVALUATORS_OK: TraceEntry = Object.freeze({ step: "evaluators", result: "allow" });

function agentProblem(agent: AgentRecord | null, p: Proposal) {
  if (agent === null) {
    return { code: "unknown_agent" as const, reason: `Agent ${p.agentId ?? "(none)"} is not registered` };
  }
  const caps = agent.capabilities;
  if (caps.includes("*") || caps.includes(p.action)) return undefined;
  return { code: "missing_capability" as const, reason: `Agent ${agent.id} lacks capability "${p.action}"` };
}

/**
 * The model governor: a proposal carrying a model call that could be allowed (`allow` or `approve`) is denied
 * with `model_not_allowed` when the policy's `models` section does not let its action tier (or its user's
 * override) use that model.
 */
function withModel(policy: CompiledPolicy, p: Proposal, d: RoutingDecision): RoutingDecision {
  const models = policy.internals.models;
  if (models === undefined || p.model === null || (d.verdict !== "allow" && d.verdict !== "approve"))
    return d;
  const access = checkModelAccess(models, p.model.model, d.tier, p.model.identity);
  const trace = d.trace as TraceEntry[];
  trace.push({
    step: "model",
    result: access.allowed ? "allowed" : "model_not_allowed",
    detail: `${access.model} (tier ${access.modelTier}): ${access.reason}`,
  });
  if (access.allowed) return d;
  return {
    verdict: "deny",
    code: "model_not_allowed",
    tier: "blocked",
    riskLevel: d.riskLevel,
    reason: `Model not allowed: ${access.reason}`,
    step: d.step,
    trace,
    warnings: d.warnings,
  };
}

function withEvaluators(
  policy: CompiledPolicy,
  p: Proposal,
  d: RoutingDecision,
  ctx: RouteContext | undefined,
): RoutingDecision | Promise<RoutingDecision> {
  const bindings = policy.internals.evaluators;
  if (bindings.length === 0 || (d.verdict !== "allow" && d.verdict !== "approve")) return d;
  const registry = ctx?.evaluators;
  const tasks: EvaluatorTask[] = bindings.map((b) => ({
    name: b.name,
    type: b.type,
    timeoutMs: b.timeoutMs,
    run: (signal: AbortSignal) => {
      const evaluator = registry ? registry.get(b.type) : b.evaluator;
      if (!evaluator) throw new Error(`evaluator type "${b.type}" is not registered`);
      return evaluator.evaluate(p, { config: b.config, signal, name: b.name });
    },
  }));
  return runEvaluators(tasks, { concurrency: ctx?.evaluatorConcurrency, signal: ctx?.signal }).then(
    (run: ParallelEvaluation): RoutingDecision => {
      const trace = d.trace as TraceEntry[];
      if (run.allow) {
        trace.push(EVALUATORS_OK);
        return d;
      }
      const denied = run.denied!;
      const reason =
        denied.status === "cancelled"
          ? "Evaluators did not decide: evaluation aborted"
          : `Denied by evaluator ${denied.name}: ${denied.reason}`;
      trace.push({ step: "evaluators", result: "deny", detail: `${denied.name}: ${denied.reason}` });
      return {
        verdict: "deny",
        code: "evaluator_denied",
        tier: "blocked",
        riskLevel: d.riskLevel,
        reason,
        step: d.step,
        trace,
        warnings: d.warnings,
      };
    },
  );
}

/**
 * Routes one proposal: agent identity and capability (when `ctx.agent` is given), then the policy engine (risk,
 * the session's accumulated risk when `ctx.sessionRisk` is given, condition tree, tier, reason, trace), then the
 * model governor for a proposal carrying a model call (`model_not_allowed`), then the policy's evaluators in
 * parallel for proposals that could be allowed (`allow` or `approve`); any evaluator deny, error or timeout
 * denies with code `evaluator_denied`.
 *
 * Returns synchronously when no evaluator runs and `autoApprove.when` has no evaluator leaves; otherwise a
 * Promise. Never throws for a denial: decisions are values.
 * @example
 * const d = routeProposal(policy, parseProposal({ sessionId: "s1", action: "read" }));
 * const decision = d instanceof Promise ? await d : d;
 */
export function routeProposal(
  policy: CompiledPolicy,
  proposal: Proposal,
  ctx?: RouteContext,
): RoutingDecision | Promise<RoutingDecision> {
  const trace: TraceEntry[] = [];
  let warnings: readonly string[] | undefined;
  if (ctx?.agent !== undefined) {
    const problem = agentProblem(ctx.agent, proposal);
    if (problem === undefined) trace.push(AGENT_OK);
    else if (ctx.agentPolicy === "warn") {
      trace.push({ step: "agent", result: "warn", detail: problem.reason });
      warnings = [problem.reason];
    } else {
      const riskEntry = policy.internals.assessRisk(proposal);
      trace.push({ step: "agent", result: problem.code, detail: problem.reason }, riskEntry);
      const session = ctx.sessionRisk;
      if (session !== undefined) trace.push(sessionRiskTrace(session));
      return {
        verdict: "deny",
        code: problem.code,
        tier: "blocked",
        riskLevel: session?.escalated ? session.risk : riskEntry.result,
        reason: problem.reason,
        step: "capability_match",
        trace,
        warnings: [],
      };
    }
  }
  const d = evaluatePolicy(policy, proposal, {
    signal: ctx?.signal,
    evaluators: ctx?.evaluators,
    trace,
    warnings,
    sessionRisk: ctx?.sessionRisk,
  });
  if (d instanceof Promise) {
    return d.then((r) => withEvaluators(policy, proposal, withModel(policy, proposal, r), ctx));
  }
  return withEvaluators(policy, proposal, withModel(policy, proposal, d), ctx);
}
