import { readFileSync } from "node:fs";
import type { OutboxDelivery } from "../storage/outbox-store.js";
import { NOTIFICATION_TYPES, type NotificationEventKind } from "./event-types.js";
import { signWebhook } from "./signature.js";
import type { WebhookConfig } from "./webhook-config.js";

/** The package version (src/notifications and dist/notifications both sit two levels below package.json). */
export function packageVersion(): string {
  try {
    const url = new URL("../../package.json", import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Sends one attempt of a delivery: `POST` of its stored body with the `X-ACP-*` headers, signed when the webhook
 * has a secret; redirects are not followed; the answer's body is discarded. Resolves with `undefined` when the
 * receiver answered 2xx, else with why the attempt failed (`HTTP 503`, `timed out after 10000 ms`, a network
 * error). Never rejects.
 */
export async function postDelivery(
  webhook: WebhookConfig,
  delivery: OutboxDelivery,
  request: { readonly timestamp: number; readonly userAgent: string },
): Promise<string | undefined> {
  const body = JSON.stringify(delivery.body);
  const timestamp = String(request.timestamp);
  try {
    const response = await fetch(webhook.url, {
      method: "POST",
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(webhook.timeoutMs),
      headers: {
        "content-type": "application/json",
        "user-agent": request.userAgent,
        "x-acp-delivery": delivery.id,
        "x-acp-event": NOTIFICATION_TYPES[delivery.eventKind as NotificationEventKind] ?? delivery.eventKind,
        "x-acp-timestamp": timestamp,
        "x-acp-attempt": String(delivery.attempts),
        ...(webhook.secret === undefined
          ? {}
          : { "x-acp-signature": signWebhook(webhook.secret, timestamp, body) }),
      },
    });
    await response.body?.cancel().catch(() => undefined);
    return response.status >= 200 && response.status <= 299 ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    if (e.name === "TimeoutError") return `timed out after ${webhook.timeoutMs} ms`;
    return `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ""}`;
  }
}
