import { type Column, cellText } from "../output.js";

// The JSON shapes the CLI reads from the server (snake_case, as in the v1 contract) and their table columns.

/** An approval ticket as the API returns it (`ApprovalTicket`). */
export interface TicketJson {
  readonly id: string;
  readonly session_id: string;
  readonly proposal_id: string;
  readonly status: string;
  readonly decision_type?: string | null;
  readonly decided_by?: string | null;
  readonly decision_reason?: string | null;
  readonly timeout_at?: string | null;
  readonly created_at: string;
  readonly decided_at?: string | null;
  readonly request?: {
    readonly action?: string;
    readonly agent_id?: string | null;
    readonly resource_id?: string | null;
    readonly cost?: string;
    readonly risk_level?: string;
    readonly reason?: string;
  };
  readonly [key: string]: unknown;
}

/** A session as the API returns it (`SessionState`). */
export interface SessionJson {
  readonly id: string;
  readonly session_name: string;
  readonly status: string;
  readonly agent_id?: string | null;
  readonly used_cost: string;
  readonly max_cost: string;
  readonly used_action_count: number;
  readonly max_action_count: number;
  readonly created_at: string;
  readonly [key: string]: unknown;
}

/** An audit event as the API returns it (`EventFrame`). */
export interface EventJson {
  readonly event_id: string;
  readonly session_id: string;
  readonly seq: number;
  readonly event_kind: string;
  readonly agent_id?: string | null;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly [key: string]: unknown;
}

/** Columns of `acp tickets list`. */
export const TICKET_COLUMNS: readonly Column<TicketJson>[] = [
  { header: "ID", value: (t) => t.id },
  { header: "STATUS", value: (t) => t.status },
  { header: "ACTION", value: (t) => t.request?.action },
  { header: "RESOURCE", value: (t) => t.request?.resource_id },
  { header: "AGENT", value: (t) => t.request?.agent_id },
  { header: "RISK", value: (t) => t.request?.risk_level },
  { header: "COST", value: (t) => t.request?.cost },
  { header: "CREATED", value: (t) => t.created_at },
  { header: "DECIDED BY", value: (t) => t.decided_by },
];

/** An unlimited budget is sent as "Infinity" / MAX_SAFE_INTEGER: shown as "∞". */
function limit(value: string | number): string {
  return value === "Infinity" || value === Number.MAX_SAFE_INTEGER ? "∞" : String(value);
}

/** Columns of `acp sessions list`. */
export const SESSION_COLUMNS: readonly Column<SessionJson>[] = [
  { header: "ID", value: (s) => s.id },
  { header: "NAME", value: (s) => s.session_name },
  { header: "STATUS", value: (s) => s.status },
  { header: "AGENT", value: (s) => s.agent_id },
  { header: "COST", value: (s) => `${s.used_cost}/${limit(s.max_cost)}` },
  { header: "ACTIONS", value: (s) => `${s.used_action_count}/${limit(s.max_action_count)}` },
  { header: "CREATED", value: (s) => s.created_at },
];

/** Columns of event listings (`acp sessions show`, `acp events tail`). */
export const EVENT_COLUMNS: readonly Column<EventJson>[] = [
  { header: "TIME", value: (e) => e.created_at },
  { header: "SESSION", value: (e) => e.session_id },
  { header: "SEQ", value: (e) => e.seq },
  { header: "KIND", value: (e) => e.event_kind },
  { header: "AGENT", value: (e) => e.agent_id },
  { header: "PAYLOAD", value: (e) => e.payload },
];

/** One event as a single readable line (for streaming, where columns cannot be aligned ahead). */
export function eventLine(e: EventJson): string {
  return [
    e.created_at,
    e.session_id,
    `#${e.seq}`,
    e.event_kind,
    cellText(e.agent_id),
    cellText(e.payload),
  ].join("  ");
}

/** A ticket flattened for `formatRecord` (its request fields as `request.action`, …). */
export function flattenTicket(t: TicketJson): Record<string, unknown> {
  const { request, ...rest } = t;
  const flat: Record<string, unknown> = { ...rest };
  for (const [k, v] of Object.entries(request ?? {})) flat[`request.${k}`] = v;
  return flat;
}
