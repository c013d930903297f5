import type { JsonObject } from "./json.js";

/** Kinds of audit events. Open-ended for hosts, but the control plane only emits these. */
export const EVENT_KINDS = [
  "session_opened",
  "session_activated",
  "session_paused",
  "session_resumed",
  "session_completed",
  "session_aborted",
  "proposal_decided",
  "approval_requested",
  "approval_granted",
  "approval_denied",
  "approval_expired",
  "approval_escalated",
  "execution_completed",
  "execution_failed",
  "outcome_unknown",
  "budget_exhausted",
  "kill_switch_engaged",
  "kill_switch_released",
  "agent_registered",
  "delegation_recorded",
  "cycle_started",
  "cycle_released",
  "lease_expired",
  "token_created",
  "token_revoked",
  "session_risk_escalated",
  "token_usage_recorded",
  "token_budget_exhausted",
] as const;
/** One of {@link EVENT_KINDS}. */
export type EventKind = (typeof EVENT_KINDS)[number];

/** What a caller appends; the store assigns `id` and `seq`. */
export interface NewEvent {
  /** The session stream; `null` for system-wide events (a global kill switch). */
  readonly sessionId: string | null;
  readonly kind: EventKind;
  readonly agentId?: string | null;
  readonly proposalId?: string | null;
  readonly ticketId?: string | null;
  readonly payload: JsonObject;
  readonly at: number;
}

/**
 * A stored audit event. `seq` is the per-session sequence number (1, 2, 3… with no gap or duplicate;
 * `null` for system events); `id` is the position in the global feed (strictly increasing, the feed cursor).
 */
export interface EventRecord {
  readonly id: number;
  readonly sessionId: string | null;
  readonly seq: number | null;
  readonly kind: EventKind;
  readonly agentId: string | null;
  readonly proposalId: string | null;
  readonly ticketId: string | null;
  readonly payload: JsonObject;
  readonly at: number;
}
