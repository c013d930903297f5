import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The `X-ACP-Signature` value of a request: `sha256=` and the hex HMAC-SHA256, keyed with the webhook's
 * secret, of the `X-ACP-Timestamp` value, a dot and the raw body.
 * @example signWebhook("s3cret", "1764950400", '{"type":"ticket.pending"}') // "sha256=…"
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** What {@link verifyWebhookSignature} checks. */
export interface WebhookSignatureInput {
  readonly secret: string;
  /** The raw request body, exactly as received (before any JSON parsing). */
  readonly body: string;
  /** The `X-ACP-Timestamp` header (unix seconds). */
  readonly timestamp: string | null | undefined;
  /** The `X-ACP-Signature` header. */
  readonly signature: string | null | undefined;
  /** Largest accepted age (or clock skew) of the timestamp in seconds; default 300. */
  readonly toleranceSeconds?: number;
  /** The receiver's clock (ms); default `Date.now()`. */
  readonly now?: number;
}

/**
 * Checks a received webhook: the signature matches the body and timestamp under `secret` (constant-time
 * comparison), and the timestamp is within the tolerance of now (a replayed old request fails). Receivers
 * should also drop a repeated `X-ACP-Delivery` id: delivery is at least once.
 * @example
 * const ok = verifyWebhookSignature({ secret, body: rawBody, timestamp: req.headers["x-acp-timestamp"],
 *   signature: req.headers["x-acp-signature"] });
 */
export function verifyWebhookSignature(input: WebhookSignatureInput): boolean {
  const { timestamp, signature } = input;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = input.now ?? Date.now();
  const tolerance = input.toleranceSeconds ?? 300;
  if (Math.abs(now / 1000 - Number(timestamp)) > tolerance) return false;
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
