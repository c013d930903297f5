import type { NotificationEventKind } from "./event-types.js";

/** Body formats of a webhook: the signed JSON envelope, or a Slack-compatible message. */
export const WEBHOOK_FORMATS = ["json", "slack"] as const;
/** One of {@link WEBHOOK_FORMATS}. */
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** Defaults of a webhook's optional settings. */
export const WEBHOOK_DEFAULTS = {
  format: "json",
  timeoutMs: 10_000,
  maxAttempts: 12,
  backoff: { initialMs: 1_000, maxMs: 10 * 60_000 },
} as const;

/** Retry delays: exponential from `initialMs`, doubling per failed attempt, capped at `maxMs`, with jitter. */
export interface WebhookBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** One webhook, resolved (what {@link createNotifier} takes). */
export interface WebhookConfig {
  /** Unique name; deliveries are recorded per name (renaming a webhook starts it afresh). */
  readonly name: string;
  /** Where deliveries are POSTed (http or https). */
  readonly url: string;
  /** The HMAC-SHA256 key of `X-ACP-Signature`; without one (allowed for Slack) no signature is sent. */
  readonly secret?: string;
  /** The events sent (default: every notifiable kind). */
  readonly events: readonly NotificationEventKind[];
  readonly format: WebhookFormat;
  /** Time allowed for one request (ms); slower counts as a failed attempt. */
  readonly timeoutMs: number;
  /** Attempts before a delivery is given up (`dead`). */
  readonly maxAttempts: number;
  readonly backoff: WebhookBackoff;
}

/**
 * The delay before attempt `failed + 1` after `failed` failed attempts: `initialMs · 2^(failed-1)` capped at
 * `maxMs`, of which the upper half is random ("equal jitter"), so that receivers coming back are not hit by
 * every sender at once. `random` returns a number in [0, 1).
 */
export function retryDelay(
  failed: number,
  backoff: WebhookBackoff,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failed - 1, 0), 40);
  const full = Math.min(backoff.maxMs, backoff.initialMs * 2 ** exponent);
  return Math.round(full / 2 + random() * (full / 2));
}
