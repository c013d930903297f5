import type { TraceEntry } from "../../types/decision.js";
import type { PolicyDocument } from "../../types/policy.js";
import type { Proposal } from "../../types/proposal.js";
import { isRiskLevel, RISK_LEVELS, type RiskLevel } from "../../types/risk.js";
import type { ConditionRuntime } from "../conditions/compile-condition.js";
import { compileFieldPath, type FieldGetter } from "../conditions/field-path.js";
import { MatchInputTooLongError } from "../conditions/safe-regex.js";

/**
 * A pluggable risk classifier: a pure, synchronous function of the proposal and the policy document. Pass one
 * as `loadPolicy(source, { riskClassifier })` to replace the classifier named in the policy file.
 * @example const byAmount: RiskClassifier = (p) => (Number(p.args.amount ?? 0) > 1000 ? "high" : "low");
 */
export type RiskClassifier = (proposal: Proposal, policy: PolicyDocument) => RiskLevel;

/**
 * The compiled form used on the hot path: returns a (shared, pre-built) trace entry whose `result` is the level.
 * @internal
 */
export type RiskAssessor = (proposal: Proposal) => TraceEntry & { readonly result: RiskLevel };

type RiskEntry = TraceEntry & { readonly result: RiskLevel };

const entry = (level: RiskLevel, detail: string): RiskEntry =>
  Object.freeze({ step: "risk", result: level, detail });

/** A compiled risk rule: a synchronous condition and the level it sets. @internal */
export interface CompiledRiskRule {
  readonly test: (proposal: Proposal, runtime: ConditionRuntime) => boolean;
  readonly level: RiskLevel;
  readonly label: string;
}

const NO_RISK: ConditionRuntime = Object.freeze({ risk: "low" });

/**
 * The default classifier: the first rule whose condition holds sets the level; otherwise `risk.default`. A rule
 * that cannot be decided (a `matches` leaf on text over the match limit) makes the risk `critical` (fail closed).
 */
export function rulesAssessor(rules: readonly CompiledRiskRule[], fallback: RiskLevel): RiskAssessor {
  const entries = rules.map((r) => entry(r.level, r.label));
  const tests = rules.map((r) => r.test);
  const fallbackEntry = entry(fallback, "risk.default");
  const n = tests.length;
  const scan = (p: Proposal): ReturnType<RiskAssessor> => {
    for (let i = 0; i < n; i++) if (tests[i]!(p, NO_RISK)) return entries[i]!;
    return fallbackEntry;
  };
  // The loop stays free of exception handling (it is the hot path); the rare undecidable rule is found again.
  const undecidable = (p: Proposal, error: unknown): ReturnType<RiskAssessor> => {
    if (!(error instanceof MatchInputTooLongError)) throw error;
    for (let i = 0; i < n; i++) {
      try {
        if (tests[i]!(p, NO_RISK)) return entries[i]!;
      } catch (e) {
        if (!(e instanceof MatchInputTooLongError)) throw e;
        return entry("critical", `${rules[i]!.label}: ${e.message}`);
      }
    }
    throw error;
  };
  return (p) => {
    try {
      return scan(p);
    } catch (error) {
      return undecidable(p, error);
    }
  };
}

function numberAt(get: FieldGetter, p: Proposal): number {
  const v = get(p);
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
  }
  return 0;
}

/**
 * The original's weight/score classifier. Weight and score are read from proposal paths (default
 * `metadata.weight` / `metadata.score`: set by the host, not by the agent's tool arguments); missing → 0.
 * LOW if the asset matches and `weight <= maxAutoWeight` and `score >= minAutoScore`; else HIGH if
 * `weight >= highWeight` or `score < highScoreBelow`; else MEDIUM.
 */
export function weightedAssessor(
  document: PolicyDocument,
  assetMatches: (p: Proposal) => boolean,
): RiskAssessor {
  const s = {
    weightField: "metadata.weight",
    scoreField: "metadata.score",
    maxAutoWeight: 2.5,
    minAutoScore: 0.7,
    highWeight: 5,
    highScoreBelow: 0.5,
    ...document.risk.weighted,
  };
  const getWeight = compileFieldPath(s.weightField);
  const getScore = compileFieldPath(s.scoreField);
  if (typeof getWeight === "string" || typeof getScore === "string")
    throw new Error("invalid weighted field path");
  const low = entry(
    "low",
    `weighted: asset matched, weight <= ${s.maxAutoWeight}, score >= ${s.minAutoScore}`,
  );
  const high = entry("high", `weighted: weight >= ${s.highWeight} or score < ${s.highScoreBelow}`);
  const medium = entry("medium", "weighted: neither low nor high");
  return (p) => {
    const weight = numberAt(getWeight, p);
    const score = numberAt(getScore, p);
    if (weight <= s.maxAutoWeight && score >= s.minAutoScore && assetMatches(p)) return low;
    if (weight >= s.highWeight || score < s.highScoreBelow) return high;
    return medium;
  };
}

/** Wraps a host's {@link RiskClassifier}; an invalid result is treated as `critical` (fail closed). */
export function customAssessor(classifier: RiskClassifier, document: PolicyDocument): RiskAssessor {
  const entries = Object.fromEntries(RISK_LEVELS.map((l) => [l, entry(l, "custom classifier")])) as Record<
    RiskLevel,
    RiskEntry
  >;
  const invalid = entry("critical", "custom classifier returned an invalid level; treated as critical");
  return (p) => {
    const level = classifier(p, document);
    return isRiskLevel(level) ? entries[level] : invalid;
  };
}
