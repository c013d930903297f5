import type { SteeringContext, TraceEntry } from "../../types/decision.js";
import type { JsonObject } from "../../types/json.js";
import { type PolicyDocument, parseDuration } from "../../types/policy.js";
import { RISK_LEVELS, RISK_RANK } from "../../types/risk.js";
import {
  type CompileConditionOptions,
  compileCondition,
  type EvaluatorBinding,
  type EvaluatorResolver,
} from "../conditions/compile-condition.js";
import { compileGlobs } from "../conditions/glob.js";
import type { EvaluatorRegistry } from "../evaluators/evaluator-registry.js";
import { DEFAULT_EVALUATOR_TIMEOUT_MS } from "../evaluators/run-evaluators.js";
import { deepFreeze, policyId } from "./canonical-json.js";
import { type ActionListKind, type CompiledPolicy, markCompiled } from "./compiled-policy.js";
import { compileRedactor } from "./redact-fields.js";
import {
  type CompiledRiskRule,
  customAssessor,
  type RiskClassifier,
  rulesAssessor,
  weightedAssessor,
} from "./risk-classifier.js";

/** Lists in increasing precedence: a later list overrides an earlier one for an action listed in both. */
const PRECEDENCE: readonly ActionListKind[] = [
  "unrestricted",
  "autoApprove",
  "alwaysApprove",
  "steer",
  "blocked",
];

/** Builds the resolver of evaluator references: a policy evaluator name first, then a registered type. */
export function evaluatorResolver(document: PolicyDocument, registry: EvaluatorRegistry): EvaluatorResolver {
  return (ref, config) => {
    const entry = document.evaluators.find((e) => e.name === ref);
    const type = entry ? entry.type : ref;
    const evaluator = registry.get(type);
    if (!evaluator) throw new Error(`evaluator "${ref}" is not registered`);
    const merged: JsonObject = deepFreeze({ ...(entry?.config ?? {}), ...(config ?? {}) });
    return {
      name: ref,
      type,
      config: config === undefined && entry ? entry.config : merged,
      timeoutMs: entry?.timeoutMs ?? DEFAULT_EVALUATOR_TIMEOUT_MS,
      evaluator,
    };
  };
}

function steeringContexts(document: PolicyDocument): ReadonlyMap<string, SteeringContext> {
  const { actions, steering } = document;
  const suggested = Object.freeze([
    ...new Set(steering.suggestedActions ?? [...actions.autoApprove, ...actions.unrestricted]),
  ]);
  const map = new Map<string, SteeringContext>();
  for (const action of actions.steer) {
    const alternatives = suggested.join(", ");
    const guidance = steering.guidance
      ? steering.guidance.replaceAll("{action}", action).replaceAll("{alternatives}", alternatives)
      : suggested.length > 0
        ? `Action '${action}' requires steering. Consider alternatives: ${alternatives}`
        : `Action '${action}' requires steering. No pre-approved alternatives available.`;
    map.set(
      action,
      Object.freeze({ guidance, suggestedActions: suggested, maxRetries: steering.maxRetries }),
    );
  }
  return map;
}

/**
 * Compiles a validated, normalised, frozen document into a {@link CompiledPolicy}: condition trees become
 * closures, action lists one map (precedence applied), steering contexts and trace entries are pre-built.
 * `loadPolicy` validates first; call this only with a document it produced.
 * @internal
 */
export function compilePolicy(
  document: PolicyDocument,
  registry: EvaluatorRegistry,
  riskClassifier?: RiskClassifier,
  conditionOptions?: CompileConditionOptions,
): CompiledPolicy {
  const resolve = evaluatorResolver(document, registry);
  const actionKinds = new Map<string, ActionListKind>();
  for (const kind of PRECEDENCE) for (const action of document.actions[kind]) actionKinds.set(action, kind);

  const assetGlob = document.assets.patterns.length > 0 ? compileGlobs(document.assets.patterns) : undefined;
  const assetMatches = assetGlob
    ? (p: { readonly resourceId: string | null }) => p.resourceId !== null && assetGlob(p.resourceId)
    : () => true;

  let assessRisk = rulesAssessor(
    document.risk.rules.map(
      (rule, i): CompiledRiskRule => ({
        test: compileCondition(rule.when, resolve, conditionOptions).evaluate as CompiledRiskRule["test"],
        level: rule.level,
        label: `risk.rules[${i}]${rule.name ? ` (${rule.name})` : ""}`,
      }),
    ),
    document.risk.default,
  );
  if (document.risk.classifier === "weighted") assessRisk = weightedAssessor(document, assetMatches);
  if (riskClassifier) assessRisk = customAssessor(riskClassifier, document);

  const { maxRisk, dryRunOnly } = document.autoApprove;
  const modeBlocks = dryRunOnly && document.executionMode !== "dry_run";
  const flatAutoApprove: boolean[] = [false];
  const flatAutoTrace: TraceEntry[] = [{ step: "auto_approve", result: "no" }];
  for (const level of RISK_LEVELS) {
    const ok = !modeBlocks && RISK_RANK[level] <= RISK_RANK[maxRisk];
    flatAutoApprove.push(ok);
    flatAutoTrace.push({
      step: "auto_approve",
      result: ok ? "yes" : "no",
      detail: modeBlocks
        ? "autoApprove.dryRunOnly and executionMode is live"
        : `risk ${level} ${ok ? "<=" : ">"} autoApprove.maxRisk ${maxRisk}`,
    });
  }

  const evaluators: EvaluatorBinding[] = document.evaluators.map((e) => {
    const evaluator = registry.get(e.type);
    if (!evaluator) throw new Error(`evaluator type "${e.type}" is not registered`);
    return { name: e.name, type: e.type, config: e.config, timeoutMs: e.timeoutMs, evaluator };
  });

  const policy: CompiledPolicy = {
    id: policyId(document),
    document,
    executionMode: document.executionMode,
    approvals: {
      timeoutMs: parseDuration(document.approvals.timeout) ?? 3_600_000,
      onTimeout: document.approvals.onTimeout,
      group: document.approvals.group ?? null,
      escalation: document.approvals.escalation.map((s) =>
        Object.freeze({ to: s.to, timeoutMs: parseDuration(s.timeout)! }),
      ),
      allowSelfApproval: document.approvals.allowSelfApproval === true,
    },
    internals: {
      actionKinds,
      unlisted: document.actions.unlisted,
      assessRisk,
      assetMatches,
      matchedOnly: document.assets.scope === "matched_only",
      autoApproveWhen: document.autoApprove.when
        ? compileCondition(document.autoApprove.when, resolve, conditionOptions)
        : undefined,
      flatAutoApprove,
      flatAutoTrace: deepFreeze(flatAutoTrace),
      maxRisk,
      steering: steeringContexts(document),
      evaluators,
      redact: compileRedactor(document.redact),
      models: document.models,
      sessionRisk: document.sessionRisk,
    },
  };
  Object.freeze(policy.approvals.escalation);
  Object.freeze(policy.approvals);
  Object.freeze(policy.internals);
  Object.freeze(evaluators);
  return markCompiled(Object.freeze(policy));
}
