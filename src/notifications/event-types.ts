import type { EventKind } from "../types/event.js";

/**
 * The feed events that notifications are sent for, and the `type` each is sent as (in the body and the
 * `X-ACP-Event` header): a ticket waiting for a human, decided, expired or escalated; a kill switch engaged or
 * released; a budget exhausted; a proposal whose outcome is unknown.
 */
export const NOTIFICATION_TYPES = {
  approval_requested: "ticket.pending",
  approval_granted: "ticket.approved",
  approval_denied: "ticket.denied",
  approval_expired: "ticket.expired",
  approval_escalated: "ticket.escalated",
  kill_switch_engaged: "kill_switch.engaged",
  kill_switch_released: "kill_switch.released",
  budget_exhausted: "budget.exhausted",
  outcome_unknown: "proposal.outcome_unknown",
} as const satisfies Partial<Record<EventKind, string>>;

/** An event kind notifications can be sent for (a key of {@link NOTIFICATION_TYPES}). */
export type NotificationEventKind = keyof typeof NOTIFICATION_TYPES;

/** The notification type of such a kind, e.g. `ticket.pending`. */
export type NotificationType = (typeof NOTIFICATION_TYPES)[NotificationEventKind];

/** Every notifiable event kind, in a stable order (the default `events` of a webhook). */
export const NOTIFICATION_EVENT_KINDS = Object.keys(NOTIFICATION_TYPES) as readonly NotificationEventKind[];

/** Whether `kind` is one notifications can be sent for. */
export function isNotificationEventKind(kind: string): kind is NotificationEventKind {
  return Object.hasOwn(NOTIFICATION_TYPES, kind);
}

/**
 * The event kind named by `name`: an event kind (`approval_requested`) or its notification type
 * (`ticket.pending`). `undefined` when it names neither.
 */
export function notificationKindOf(name: string): NotificationEventKind | undefined {
  if (isNotificationEventKind(name)) return name;
  for (const kind of NOTIFICATION_EVENT_KINDS) if (NOTIFICATION_TYPES[kind] === name) return kind;
  return undefined;
}
