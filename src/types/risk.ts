/** Risk levels, ordered from least to most risky. */
export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;

/** A risk level: `low < medium < high < critical`. */
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** Rank of each risk level (higher is riskier), for comparisons. */
export const RISK_RANK: Readonly<Record<RiskLevel, number>> = { low: 1, medium: 2, high: 3, critical: 4 };

/** True if `value` is one of {@link RISK_LEVELS}. */
export function isRiskLevel(value: unknown): value is RiskLevel {
  return typeof value === "string" && Object.hasOwn(RISK_RANK, value);
}
