import { toEventFrame } from "../http/schemas/event-frame.js";
import type { EventRecord } from "../types/event.js";
import type { JsonObject } from "../types/json.js";
import { NOTIFICATION_TYPES, type NotificationEventKind } from "./event-types.js";
import type { WebhookConfig } from "./webhook-config.js";

/** Links into the dashboard for an event. */
export interface NotificationLinks {
  /** `${publicUrl}/tickets/<id>` when the event concerns a ticket. */
  readonly ticket?: string;
  /** `${publicUrl}/sessions/<id>` when the event belongs to a session. */
  readonly session?: string;
}

/** The dashboard links of `event` under `publicUrl` (no trailing slash needed). */
export function notificationLinks(event: EventRecord, publicUrl: string): NotificationLinks {
  const base = publicUrl.replace(/\/+$/, "");
  return {
    ...(event.ticketId ? { ticket: `${base}/tickets/${encodeURIComponent(event.ticketId)}` } : {}),
    ...(event.sessionId ? { session: `${base}/sessions/${encodeURIComponent(event.sessionId)}` } : {}),
  };
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0
    ? value
    : typeof value === "number"
      ? String(value)
      : undefined;

/** ` (agent deployer)`: the scope and target of a kill-switch event, or nothing when the payload has neither. */
function killScope(p: EventRecord["payload"]): string {
  const parts = [text(p.scope), text(p.target)].filter((x) => x !== undefined);
  return parts.length === 0 ? "" : ` (${parts.join(" ")})`;
}

/**
 * A one-line, human-readable summary of a notifiable event (used by the Slack format). Kill switch summaries
 * name the operator (payload `by`) when it was recorded.
 */
export function summarize(event: EventRecord & { readonly kind: NotificationEventKind }): string {
  const p = event.payload;
  const action = text(p.action);
  const reason = text(p.reason);
  const agent = event.agentId ? ` by agent ${event.agentId}` : "";
  const ticket = event.ticketId ? `Ticket ${event.ticketId}` : "A ticket";
  const why = reason ? `: ${reason}` : "";
  const by = text(p.by) ? ` by ${text(p.by)}` : "";
  switch (event.kind) {
    case "approval_requested":
      return `Approval needed: ${action ?? "an action"}${agent}${why}`;
    case "approval_granted":
      return `${ticket} approved${text(p.decidedBy) ? ` by ${text(p.decidedBy)}` : ""}`;
    case "approval_denied":
      return `${ticket} denied${text(p.decidedBy) ? ` by ${text(p.decidedBy)}` : ""}${why}`;
    case "approval_expired":
      return `${ticket} expired without a decision`;
    case "approval_escalated":
      return `${ticket} escalated${text(p.group) ? ` to ${text(p.group)}` : ""}: still waiting for a decision`;
    case "kill_switch_engaged":
      return `Kill switch engaged${killScope(p)}${by}${why}`;
    case "kill_switch_released":
      return `Kill switch released${killScope(p)}${by}`;
    case "budget_exhausted":
      return `Budget exhausted in session ${event.sessionId ?? "?"}${why}`;
    case "outcome_unknown":
      return `Outcome unknown: ${action ?? "an action"}${agent}${why}`;
  }
}

/**
 * The request body of one delivery. `json`: `{ delivery_id, webhook, type, occurred_at, event, links }` with
 * `event` the API's `EventFrame`. `slack`: `{ text, blocks }` (an incoming-webhook message) with the summary
 * and a link to the ticket (else the session) in the dashboard.
 */
export function notificationBody(
  webhook: WebhookConfig,
  deliveryId: string,
  event: EventRecord & { readonly kind: NotificationEventKind },
  publicUrl: string,
): JsonObject {
  const links = notificationLinks(event, publicUrl);
  if (webhook.format === "slack") {
    // Slack's mrkdwn reserves &, < and > (links are <url|label>): escape them in the event's own text.
    const summary = summarize(event).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
    const link = links.ticket ?? links.session;
    const label = links.ticket ? "Open the ticket" : "Open the session";
    const withLink = link ? `${summary}\n<${link}|${label}>` : summary;
    return {
      text: withLink,
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: withLink } },
        {
          type: "context",
          elements: [
            {
              type: "mrkdwn",
              text: `${NOTIFICATION_TYPES[event.kind]} · ${new Date(event.at).toISOString()} · delivery ${deliveryId}`,
            },
          ],
        },
      ],
    };
  }
  return {
    delivery_id: deliveryId,
    webhook: webhook.name,
    type: NOTIFICATION_TYPES[event.kind],
    occurred_at: new Date(event.at).toISOString(),
    event: toEventFrame(event) as unknown as JsonObject,
    links: { ...links },
  };
}
