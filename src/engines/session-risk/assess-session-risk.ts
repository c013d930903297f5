import type { TraceEntry } from "../../types/decision.js";
import { RISK_RANK, type RiskLevel } from "../../types/risk.js";
import type { RiskPattern, SessionRiskPolicy, SessionRiskState } from "../../types/session-risk.js";

/** What {@link assessSessionRisk} concluded for one proposal. */
export interface SessionRiskAssessment {
  /** The proposal's own risk level (from the policy's classifier). */
  readonly originalRisk: RiskLevel;
  /** The risk the tier is decided with: the highest of the own risk, the score's level and matched patterns. */
  readonly risk: RiskLevel;
  /** True iff `risk` is above `originalRisk`. */
  readonly escalated: boolean;
  /** Why the risk was raised (empty when it was not). */
  readonly reasons: readonly string[];
  /** Names of the patterns matching now. */
  readonly matchedPatterns: readonly string[];
  /** The session's state after this proposal: what is stored. */
  readonly state: SessionRiskState;
}

const higher = (a: RiskLevel, b: RiskLevel): RiskLevel => (RISK_RANK[b] > RISK_RANK[a] ? b : a);

/** The longest pattern window: how many recent action names the state keeps. */
export function riskHistoryLength(policy: SessionRiskPolicy): number {
  let max = 0;
  for (const p of policy.patterns) if (p.window > max) max = p.window;
  return max;
}

/**
 * True when `pattern.sequence` appears contiguously (consecutive entries, in order) among the last
 * `pattern.window` entries of `recent`.
 * @example matchesPattern({ name: "x", sequence: ["a", "b"], window: 3, escalateTo: "high" }, ["a", "b", "c"]) // true
 */
export function matchesPattern(pattern: RiskPattern, recent: readonly string[]): boolean {
  const seq = pattern.sequence;
  const start = Math.max(0, recent.length - pattern.window);
  for (let i = start; i + seq.length <= recent.length; i++) {
    let j = 0;
    while (j < seq.length && recent[i + j] === seq[j]) j++;
    if (j === seq.length) return true;
  }
  return false;
}

/**
 * Session risk accumulation, the original's rules (pure): the proposal's score (by its own risk level) is added
 * to the session's; its action joins the recent actions; the score reaching `thresholds.high` (else
 * `thresholds.medium`) raises the risk to that level, and every pattern whose sequence lies contiguously in its
 * window raises it to the pattern's `escalateTo`. The final risk is the highest of these and the proposal's own:
 * risk only ever escalates, never goes down.
 * @example
 * const a = assessSessionRisk(policy, EMPTY_SESSION_RISK, "send_email", "low");
 * a.risk; a.state; // what to decide the tier with; what to store
 */
export function assessSessionRisk(
  policy: SessionRiskPolicy,
  state: SessionRiskState,
  action: string,
  actionRisk: RiskLevel,
): SessionRiskAssessment {
  const score = state.score + policy.scores[actionRisk];
  const keep = riskHistoryLength(policy);
  const recent = keep === 0 ? [] : [...state.recentActions, action].slice(-keep);
  let risk = actionRisk;
  const reasons: string[] = [];
  const { medium, high } = policy.thresholds;
  const scoreLevel: RiskLevel | undefined = score >= high ? "high" : score >= medium ? "medium" : undefined;
  if (scoreLevel !== undefined && RISK_RANK[scoreLevel] > RISK_RANK[risk]) {
    reasons.push(`session score ${score} >= thresholds.${scoreLevel} ${policy.thresholds[scoreLevel]}`);
    risk = scoreLevel;
  }
  const matched: string[] = [];
  for (const pattern of policy.patterns) {
    if (!matchesPattern(pattern, recent)) continue;
    matched.push(pattern.name);
    if (RISK_RANK[pattern.escalateTo] > RISK_RANK[actionRisk]) {
      reasons.push(
        `pattern ${pattern.name} (${pattern.sequence.join(" → ")} within ${pattern.window} actions) escalates to ${pattern.escalateTo}`,
      );
    }
    risk = higher(risk, pattern.escalateTo);
  }
  const detected = [...state.detectedPatterns];
  for (const name of matched) if (!detected.includes(name)) detected.push(name);
  return {
    originalRisk: actionRisk,
    risk,
    escalated: RISK_RANK[risk] > RISK_RANK[actionRisk],
    reasons,
    matchedPatterns: matched,
    state: {
      score,
      actionCount: state.actionCount + 1,
      recentActions: recent,
      detectedPatterns: detected,
      level: risk,
    },
  };
}

/**
 * The trace entry of an assessment: `escalated` with the old and new level and the reasons, or `ok` with
 * the session's score.
 */
export function sessionRiskTrace(a: SessionRiskAssessment): TraceEntry {
  return a.escalated
    ? {
        step: "session_risk",
        result: "escalated",
        detail: `${a.originalRisk} → ${a.risk}: ${a.reasons.join("; ")}`,
      }
    : { step: "session_risk", result: "ok", detail: `score ${a.state.score}, risk ${a.risk}` };
}
