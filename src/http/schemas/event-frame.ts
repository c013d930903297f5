import { z } from "@hono/zod-openapi";
import type { EventKind, EventRecord } from "../../types/event.js";
import { iso } from "./common.js";

/** The contract's closed `EventKind` list. */
export const CONTRACT_EVENT_KINDS = [
  "cycle_started",
  "cycle_skipped",
  "cycle_completed",
  "cycle_recovered",
  "signals_calculated",
  "proposals_generated",
  "risk_assessed",
  "approval_requested",
  "approval_granted",
  "approval_denied",
  "approval_timeout",
  "execution_started",
  "execution_completed",
  "session_aborted",
  "kill_switch_triggered",
  "budget_exhausted",
  "token_budget_exhausted",
  "model_access_denied",
  "token_usage_recorded",
] as const;

/**
 * Our event kind → the nearest kind of the contract's closed list. The exact kind is always in `acp_kind`;
 * the table is documented in docs/http-api.md.
 */
export const CONTRACT_KIND_OF: Readonly<Record<EventKind, (typeof CONTRACT_EVENT_KINDS)[number]>> = {
  session_opened: "cycle_started",
  session_activated: "cycle_started",
  session_paused: "cycle_skipped",
  session_resumed: "cycle_started",
  session_completed: "cycle_completed",
  session_aborted: "session_aborted",
  proposal_decided: "risk_assessed",
  approval_requested: "approval_requested",
  approval_granted: "approval_granted",
  approval_denied: "approval_denied",
  approval_expired: "approval_timeout",
  approval_escalated: "approval_requested",
  execution_completed: "execution_completed",
  execution_failed: "execution_completed",
  outcome_unknown: "execution_completed",
  budget_exhausted: "budget_exhausted",
  kill_switch_engaged: "kill_switch_triggered",
  kill_switch_released: "kill_switch_triggered",
  agent_registered: "signals_calculated",
  delegation_recorded: "signals_calculated",
  cycle_started: "cycle_started",
  cycle_released: "cycle_completed",
  lease_expired: "cycle_recovered",
  token_created: "signals_calculated",
  token_revoked: "signals_calculated",
  session_risk_escalated: "risk_assessed",
  token_usage_recorded: "token_usage_recorded",
  token_budget_exhausted: "token_budget_exhausted",
};

/** The session id of system-wide events (the contract requires a UUID): the nil UUID. */
export const SYSTEM_SESSION_ID = "00000000-0000-0000-0000-000000000000";

/** The contract's `EventFrame`, plus `acp_kind` (our exact kind), `feed_id`, `proposal_id` and `ticket_id`. */
export const EventFrameSchema = z
  .object({
    frame_kind: z.literal("event"),
    event_id: z.string().uuid(),
    session_id: z.string().uuid(),
    seq: z.number().int(),
    event_kind: z.enum(CONTRACT_EVENT_KINDS),
    agent_id: z.string().nullable().optional(),
    correlation_id: z.string().uuid().nullable().optional(),
    payload: z.record(z.string(), z.unknown()),
    state_bearing: z.boolean(),
    routing_decision: z.record(z.string(), z.unknown()).nullable().optional(),
    routing_reason: z.string().nullable().optional(),
    created_at: z.string().datetime(),
    acp_kind: z.string(),
    feed_id: z.number().int(),
    proposal_id: z.string().nullable(),
    ticket_id: z.string().nullable(),
  })
  .openapi("EventFrame");

/** The JSON of an event frame. */
export type EventFrameJson = z.infer<typeof EventFrameSchema>;

/**
 * A deterministic UUID for feed position `id` (the contract wants `event_id` as a UUID; ours is the integer
 * feed position): version 8, the id in the last 48 bits.
 */
export function eventUuid(id: number): string {
  return `00000000-0000-8000-8000-${id.toString(16).padStart(12, "0")}`;
}

/** Maps a stored event onto the contract's `EventFrame`. System events get session id {@link SYSTEM_SESSION_ID}, seq 0. */
export function toEventFrame(e: EventRecord): EventFrameJson {
  const decided = e.kind === "proposal_decided";
  return {
    frame_kind: "event",
    event_id: eventUuid(e.id),
    session_id: e.sessionId ?? SYSTEM_SESSION_ID,
    seq: e.seq ?? 0,
    event_kind: CONTRACT_KIND_OF[e.kind] ?? "signals_calculated",
    agent_id: e.agentId,
    correlation_id: e.proposalId,
    payload: e.payload,
    state_bearing: true,
    routing_decision: decided ? e.payload : null,
    routing_reason: decided && typeof e.payload.reason === "string" ? e.payload.reason : null,
    created_at: iso(e.at),
    acp_kind: e.kind,
    feed_id: e.id,
    proposal_id: e.proposalId,
    ticket_id: e.ticketId,
  };
}
