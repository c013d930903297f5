import type { RiskLevel } from "./risk.js";
import type { ActionTier } from "./tier.js";

/** Approval ticket states; everything but `pending` is terminal. */
export const TICKET_STATUSES = ["pending", "approved", "denied", "expired"] as const;
/** One of {@link TICKET_STATUSES}. */
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/**
 * What an approval covers. `once`: only the proposal of the ticket. `session`: later proposals of the same
 * session that match (actions, resources, per-action max cost) are allowed without a human, while
 * `remaining` (if set) lasts and until `expiresAt` (if set). Money in micros, times in ms since epoch.
 */
export interface ApprovalScope {
  readonly kind: "once" | "session";
  readonly actions: readonly string[] | null;
  readonly resourceIds: readonly string[] | null;
  readonly maxCostPerAction: number | null;
  /** How many later proposals the approver allowed (`maxUses` of the scope input); absent on older tickets. */
  readonly maxUses?: number | null;
  /** How many of those uses are left (counted down by each proposal the scope allows). */
  readonly remaining: number | null;
  readonly expiresAt: number | null;
}

/**
 * What a ticket asks a human to decide: the proposal's action, resource, cost, agent, and why it needs a
 * human. Copied from the proposal when the ticket is opened and never changed afterwards. Money in micros.
 */
export interface TicketRequest {
  readonly action: string;
  readonly agentId: string | null;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  /** The proposal's estimated cost. */
  readonly cost: number;
  /** Why the proposal needs approval (the decision's reason, e.g. "action deploy requires approval"). */
  readonly reason: string;
  readonly riskLevel: RiskLevel;
  readonly tier: ActionTier;
}

/** An approval ticket: a request for a human decision on one proposal. */
export interface TicketRecord {
  readonly id: string;
  readonly sessionId: string;
  readonly proposalId: string;
  /** What is to be decided (immutable; see {@link TicketRequest}). */
  readonly request: TicketRequest;
  readonly status: TicketStatus;
  readonly createdAt: number;
  /** When the ticket expires (or escalates) if nobody decides it. */
  readonly deadlineAt: number;
  readonly decidedAt: number | null;
  readonly decidedBy: string | null;
  /** The approver's note given with the decision (why approved, denied or expired). */
  readonly reason: string | null;
  readonly scope: ApprovalScope | null;
  /** Escalation step reached (0 = first approver group). */
  readonly escalationLevel: number;
}
