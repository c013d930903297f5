import type { EventKind } from "../types/event.js";
import type { JsonObject } from "../types/json.js";

/** States of an outbox delivery: waiting to be (re)sent, accepted by the receiver, or given up. */
export const DELIVERY_STATUSES = ["pending", "delivered", "dead"] as const;
/** One of {@link DELIVERY_STATUSES}. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A delivery to enqueue: one event for one webhook. */
export interface NewOutboxDelivery {
  /** The delivery id (sent as `X-ACP-Delivery` on every attempt). Unique. */
  readonly id: string;
  /** The webhook's configured name. */
  readonly webhook: string;
  /** The feed id of the event. `(webhook, eventId)` is unique. */
  readonly eventId: number;
  readonly eventKind: EventKind;
  /** The request body, rendered once at enqueue time (every retry sends the same body). */
  readonly body: JsonObject;
  /** When it was enqueued; the first attempt is due then. */
  readonly createdAt: number;
}

/** A stored outbox delivery. */
export interface OutboxDelivery extends NewOutboxDelivery {
  readonly status: DeliveryStatus;
  /** Attempts started so far (incremented when a dispatcher claims it). */
  readonly attempts: number;
  /** When the next attempt is due (epoch ms). */
  readonly nextAttemptAt: number;
  /** The dispatcher holding it while it sends; `null` when free. */
  readonly leaseOwner: string | null;
  /** When that hold lapses (another dispatcher may then claim it); `null` when free. */
  readonly leaseExpiresAt: number | null;
  /** Why the last attempt failed (HTTP status or network error); `null` before any failure. */
  readonly lastError: string | null;
  readonly updatedAt: number;
}

/** What a dispatcher writes after an attempt: see {@link OutboxStore.settle}. */
export interface DeliverySettlement {
  readonly status: DeliveryStatus;
  /** Next attempt time (only meaningful for `pending`). */
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
  readonly now: number;
}

/**
 * The durable notification outbox: deliveries to webhooks, and named feed cursors that record how far the
 * feed has been turned into deliveries. Enqueueing and moving the cursor in one transaction means a restart
 * neither loses nor repeats an event.
 */
export interface OutboxStore {
  /** The feed id up to which cursor `name` has enqueued, or `undefined` before its first move. */
  cursor(name: string): Promise<number | undefined>;
  /**
   * Compare-and-set: moves cursor `name` to `to` only if it is at `from` (`undefined`: only if it does not
   * exist yet). Returns whether it moved; of several racing movers from the same position exactly one wins.
   */
  moveCursor(name: string, from: number | undefined, to: number, now: number): Promise<boolean>;
  /**
   * Insert-if-absent on `(webhook, eventId)`: returns `false` (and writes nothing) when a delivery of that
   * event to that webhook exists, also one enqueued by a concurrent transaction that committed first.
   * A duplicate `id` for another pair rejects with a `conflict` error.
   */
  enqueue(delivery: NewOutboxDelivery): Promise<boolean>;
  /**
   * Claim-with-lease: takes up to `limit` pending deliveries of the named `webhooks` that are due (`nextAttemptAt <= now`) and not held
   * (no lease, or its lease lapsed: `leaseExpiresAt <= now`), oldest due first; sets their lease to `owner`
   * until `leaseUntil` and counts an attempt. Two racing claimers never take the same delivery (PostgreSQL:
   * `FOR UPDATE SKIP LOCKED`). Returns the claimed deliveries as updated, oldest due first.
   */
  claim(query: {
    readonly owner: string;
    /** Only deliveries to these webhooks (those this dispatcher is configured to send). */
    readonly webhooks: readonly string[];
    readonly now: number;
    readonly leaseUntil: number;
    readonly limit: number;
  }): Promise<readonly OutboxDelivery[]>;
  /**
   * Settle-if-held: records the attempt's result and frees the lease, only if `owner` still holds the delivery
   * and it is pending. Returns the updated delivery, or `undefined` when another dispatcher took it over.
   */
  settle(id: string, owner: string, result: DeliverySettlement): Promise<OutboxDelivery | undefined>;
  get(id: string): Promise<OutboxDelivery | undefined>;
  /**
   * Deletes up to `limit` finished deliveries (`delivered` or `dead`) last updated before `before`, oldest first;
   * pending ones are never deleted. Returns how many it deleted.
   */
  prune(before: number, limit: number): Promise<number>;
  /** Deliveries oldest first (`createdAt`, then enqueue order). */
  list(query: {
    readonly webhook?: string;
    readonly statuses?: readonly DeliveryStatus[];
    readonly limit: number;
  }): Promise<readonly OutboxDelivery[]>;
}
