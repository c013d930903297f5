import type { DecisionCode, Outcome, TraceEntry } from "./decision.js";
import type { JsonObject, JsonValue } from "./json.js";
import type { RiskLevel } from "./risk.js";
import type { ActionTier } from "./tier.js";

/**
 * Lifecycle of a stored proposal.
 * pending_approval → approved → executing → succeeded | failed | outcome_unknown;
 * pending_approval → denied | expired; executing is entered directly when allowed;
 * denied and steered are terminal at decision time.
 */
export const PROPOSAL_STATUSES = [
  "pending_approval",
  "approved",
  "executing",
  "succeeded",
  "failed",
  "outcome_unknown",
  "denied",
  "expired",
  "steered",
] as const;
/** One of {@link PROPOSAL_STATUSES}. */
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** A proposal as persisted, with its decision and (later) its outcome. Money in micros. */
export interface ProposalRecord {
  readonly id: string;
  readonly sessionId: string;
  readonly agentId: string | null;
  readonly action: string;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly args: JsonObject;
  readonly metadata: JsonObject;
  /** Hash of (session, agent, action, resource, args): a retry of the same action matches it. */
  readonly fingerprint: string;
  readonly status: ProposalStatus;
  readonly outcome: Outcome;
  readonly code: DecisionCode;
  readonly reason: string;
  readonly riskLevel: RiskLevel;
  readonly tier: ActionTier;
  readonly trace: readonly TraceEntry[];
  readonly ticketId: string | null;
  /** Estimated cost given with the proposal. */
  readonly cost: number;
  /** Cost reserved against the session budget while executing (0 when nothing is reserved). */
  readonly reservedCost: number;
  readonly actualCost: number | null;
  readonly output: JsonValue | null;
  readonly error: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly completedAt: number | null;
}
