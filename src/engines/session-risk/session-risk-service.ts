import type { StorageTx } from "../../storage/storage.js";
import type { RiskLevel } from "../../types/risk.js";
import {
  EMPTY_SESSION_RISK,
  type SessionRiskPolicy,
  type SessionRiskState,
} from "../../types/session-risk.js";
import { assessSessionRisk, type SessionRiskAssessment } from "./assess-session-risk.js";

/** One proposal entering a session's risk accumulation. */
export interface SessionRiskInput {
  readonly sessionId: string;
  /** The acting agent, recorded on the `session_risk_escalated` event. */
  readonly agentId: string | null;
  /** The proposal's action (normalised). */
  readonly action: string;
  /** The proposal's own risk level (the policy's classifier). */
  readonly actionRisk: RiskLevel;
  readonly now: number;
}

/**
 * Accumulates one proposal into its session's stored risk, inside the caller's (decision) transaction: locks the
 * session's state (racing workers take turns), assesses the proposal ({@link assessSessionRisk}), stores the new
 * state and, when the risk was raised, appends a `session_risk_escalated` event
 * `{ action, originalRisk, escalatedRisk, reasons, score, patterns }`. Returns the assessment the tier is then
 * decided with. Rolls back with the transaction.
 * @example
 * const a = await accumulateSessionRisk(tx, policy.document.sessionRisk!, { sessionId, agentId, action, actionRisk, now });
 */
export async function accumulateSessionRisk(
  tx: StorageTx,
  policy: SessionRiskPolicy,
  input: SessionRiskInput,
): Promise<SessionRiskAssessment> {
  const state = (await tx.sessionRisk.lock(input.sessionId, input.now)) ?? EMPTY_SESSION_RISK;
  const assessment = assessSessionRisk(policy, state, input.action, input.actionRisk);
  await tx.sessionRisk.put(input.sessionId, assessment.state, input.now);
  if (assessment.escalated) {
    await tx.events.append({
      sessionId: input.sessionId,
      kind: "session_risk_escalated",
      agentId: input.agentId,
      payload: {
        action: input.action,
        originalRisk: assessment.originalRisk,
        escalatedRisk: assessment.risk,
        reasons: [...assessment.reasons],
        score: assessment.state.score,
        patterns: [...assessment.matchedPatterns],
      },
      at: input.now,
    });
  }
  return assessment;
}

/**
 * The stored risk state of a session (read only, no lock): what the next proposal is assessed against.
 * {@link EMPTY_SESSION_RISK} when the session has none yet.
 */
export async function readSessionRisk(tx: StorageTx, sessionId: string): Promise<SessionRiskState> {
  return (await tx.sessionRisk.get(sessionId))?.state ?? EMPTY_SESSION_RISK;
}
