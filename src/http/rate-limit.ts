import type { MiddlewareHandler } from "hono";
import type { HttpEnv } from "./context.js";
import { errorResponse } from "./errors.js";

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key: each key may spend `perMinute` requests in a burst and regains them at
 * `perMinute / 60` per second. Pure bookkeeping over an injected clock; buckets that have refilled completely
 * are dropped so the table stays as small as the set of recently active keys.
 */
export class TokenBuckets {
  readonly #perMinute: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  /**
   * Takes one request from `key`'s bucket at time `now` (ms). Returns 0 when allowed, else the milliseconds
   * until the next request would be allowed.
   */
  take(key: string, now: number): number {
    const ratePerMs = this.#perMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: this.#perMinute, at: now };
    bucket.tokens = Math.min(this.#perMinute, bucket.tokens + Math.max(0, now - bucket.at) * ratePerMs);
    bucket.at = now;
    if (this.#buckets.size >= 10_000 && !this.#buckets.has(key)) this.#sweep(now);
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / ratePerMs);
  }

  #sweep(now: number): void {
    const ratePerMs = this.#perMinute / 60_000;
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * ratePerMs >= this.#perMinute) this.#buckets.delete(key);
    }
  }
}

/**
 * Limits each authenticated principal (by its credential id) to `perMinute` requests per minute with a token
 * bucket; over the limit answers 429 in the envelope with `Retry-After` (whole seconds). Runs after
 * authentication; one process keeps its own buckets (several instances each allow the full rate).
 */
export function rateLimit(perMinute: number, now: () => number): MiddlewareHandler<HttpEnv> {
  const buckets = new TokenBuckets(perMinute);
  return async (c, next) => {
    const principal = c.get("principal");
    const waitMs = buckets.take(principal.id, now());
    if (waitMs === 0) return next();
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    return errorResponse(
      "rate_limited",
      `rate limit of ${perMinute} requests per minute exceeded; retry in ${retryAfter} s`,
      { rate_per_minute: perMinute, retry_after_s: retryAfter },
      { "retry-after": String(retryAfter) },
    );
  };
}
