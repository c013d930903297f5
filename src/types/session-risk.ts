import { z } from "zod";
import { RISK_LEVELS, type RiskLevel } from "./risk.js";

const score = z.number().min(0).max(1_000_000);
const threshold = z.number().positive().max(1_000_000_000);

/**
 * Zod schema of the policy's `sessionRisk` section (session risk accumulation). Absent: no accumulation.
 * @example
 * // sessionRisk:
 * //   thresholds: { medium: 5, high: 10 }
 * //   patterns:
 * //     - { name: exfiltration, sequence: [read_database, send_email], window: 10, escalateTo: high }
 */
export const sessionRiskPolicySchema = z
  .strictObject({
    scores: z
      .strictObject({
        low: score.default(1),
        medium: score.default(3),
        high: score.default(5),
        critical: score.default(10),
      })
      .prefault({})
      .meta({
        description: "What each proposal adds to the session's score, by the proposal's own risk level.",
      }),
    thresholds: z
      .strictObject({ medium: threshold.default(5), high: threshold.default(10) })
      .prefault({})
      .meta({
        description: "Score at or above which every later proposal of the session is at least this risky.",
      }),
    patterns: z
      .array(
        z.strictObject({
          name: z.string().trim().min(1).max(200),
          description: z.string().optional(),
          sequence: z.array(z.string().trim().min(1)).min(1).max(50),
          window: z.number().int().min(1).max(1000).default(10),
          escalateTo: z.enum(RISK_LEVELS).default("high"),
        }),
      )
      .default([])
      .meta({
        description:
          "Sequences of actions that escalate the risk: a pattern matches when its sequence appears contiguously among the session's last `window` proposals (this one included).",
      }),
  })
  .meta({ description: "Session risk accumulation: per-session score, thresholds and sequence patterns." });

/** One sequence pattern of a session risk policy. */
export interface RiskPattern {
  readonly name: string;
  readonly description?: string | undefined;
  /** Action names (normalised), matched contiguously. */
  readonly sequence: readonly string[];
  /** How many of the newest proposals (this one included) the sequence must lie in. */
  readonly window: number;
  readonly escalateTo: RiskLevel;
}

/** The policy's `sessionRisk` section, normalised. */
export interface SessionRiskPolicy {
  readonly scores: Readonly<Record<RiskLevel, number>>;
  readonly thresholds: { readonly medium: number; readonly high: number };
  readonly patterns: readonly RiskPattern[];
}

/**
 * The accumulated risk of one session, stored with the session and updated in every decision transaction.
 * JSON-serialisable.
 */
export interface SessionRiskState {
  /** Sum of the scores of every proposal routed in the session. */
  readonly score: number;
  /** How many proposals have been routed in the session. */
  readonly actionCount: number;
  /** The newest action names, oldest first (as many as the longest pattern window). */
  readonly recentActions: readonly string[];
  /** Names of the patterns that ever matched in the session, in order of first match. */
  readonly detectedPatterns: readonly string[];
  /** The risk the last proposal was decided with (its own risk, or the escalated one). */
  readonly level: RiskLevel;
}

/** The state of a session with no proposal routed yet. */
export const EMPTY_SESSION_RISK: SessionRiskState = Object.freeze({
  score: 0,
  actionCount: 0,
  recentActions: Object.freeze([]) as readonly string[],
  detectedPatterns: Object.freeze([]) as readonly string[],
  level: "low",
});
