import { randomUUID } from "node:crypto";
import type { ControlPlane } from "../control-plane/control-plane.js";
import type { OutboxDelivery } from "../storage/outbox-store.js";
import type { Storage } from "../storage/storage.js";
import type { EventRecord } from "../types/event.js";
import { uuidv7 } from "../types/uuid-v7.js";
import { isNotificationEventKind, type NotificationEventKind } from "./event-types.js";
import { notificationBody } from "./payload.js";
import { packageVersion, postDelivery } from "./post-delivery.js";
import { retryDelay, type WebhookConfig } from "./webhook-config.js";

/** Events turned into deliveries per transaction. */
const FEED_PAGE = 200;
/** Deliveries claimed per claim. */
const CLAIM_BATCH = 16;
/** Default of {@link NotifierOptions.retentionMs}: a week. */
const RETENTION_MS = 7 * 24 * 60 * 60_000;
/** Time between two prunings of finished deliveries, and rows deleted per transaction. */
const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_BATCH = 500;

/** A log line of the notifier. */
export type NotifierLog = (
  level: "info" | "error",
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** Options of {@link createNotifier}. */
export interface NotifierOptions {
  /** Where events are read from (its feed). */
  readonly controlPlane: ControlPlane;
  /** The same storage as the control plane's: holds the outbox and the feed cursor. */
  readonly storage: Storage;
  readonly webhooks: readonly WebhookConfig[];
  /** Base of the dashboard links (`${publicUrl}/tickets/<id>`). */
  readonly publicUrl: string;
  readonly log?: NotifierLog;
  /** The clock (ms); default `Date.now`. */
  readonly now?: () => number;
  /** How often the feed and the outbox are checked (ms); default 500. Change notices wake it sooner. */
  readonly pollIntervalMs?: number;
  /** Name of the stored feed cursor; instances sharing a database share it. Default `"webhooks"`. */
  readonly cursorName?: string;
  /** The version in `User-Agent: agent-control-plane/<version>`; default the package's. */
  readonly version?: string;
  /**
   * How long delivered and dead deliveries are kept in the outbox (ms); default 7 days. Older ones are
   * deleted about every ten minutes. Pending deliveries are never deleted.
   */
  readonly retentionMs?: number;
  /** Random numbers in [0, 1) for the backoff jitter; default `Math.random`. */
  readonly random?: () => number;
}

/** A running (or stopped) notifier. */
export interface Notifier {
  /**
   * Starts the loop: the first start on a database places the feed cursor at the feed's head (earlier events
   * are not sent); after that it resumes where the cursor is. Idempotent.
   */
  start(): Promise<void>;
  /** Runs one pass now: enqueue new events, then send every due delivery. Resolves when both are done. */
  runOnce(): Promise<void>;
  /** Stops the loop and waits for the requests in flight (bounded by their timeouts). Idempotent. */
  stop(): Promise<void>;
}

class CursorMoved extends Error {}

/**
 * Creates the webhook notifier: a loop that turns matching feed events into outbox deliveries (one per webhook
 * and event, in the transaction that advances the stored feed cursor) and sends due deliveries (claimed with
 * a lease so that several instances never send one at the same time). A delivery answered 2xx is `delivered`;
 * any other answer, a timeout or a network error is retried with exponential backoff and jitter until
 * `maxAttempts`, then it is `dead` (logged). Delivery is at least once: receivers drop repeated
 * `X-ACP-Delivery` ids.
 * @example
 * const notifier = createNotifier({ controlPlane: cp, storage, publicUrl: "https://acp.example.com",
 *   webhooks: [{ name: "ops", url: "https://hooks.example.com/acp", secret, events: ["approval_requested"],
 *     format: "json", timeoutMs: 10_000, maxAttempts: 12, backoff: { initialMs: 1000, maxMs: 600_000 } }] });
 * await notifier.start();
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const { controlPlane: cp, storage, webhooks } = options;
  const names = new Set<string>();
  for (const w of webhooks) {
    if (names.has(w.name)) throw new Error(`createNotifier: webhook name ${w.name} is used twice`);
    names.add(w.name);
  }
  const byName = new Map(webhooks.map((w) => [w.name, w]));
  const now = options.now ?? Date.now;
  const log: NotifierLog = options.log ?? (() => undefined);
  const random = options.random ?? Math.random;
  const cursorName = options.cursorName ?? "webhooks";
  const pollMs = options.pollIntervalMs ?? 500;
  const userAgent = `agent-control-plane/${options.version ?? packageVersion()}`;
  // A lease outlives one request with room to spare; a crashed sender's deliveries are retried after it.
  const leaseMs = Math.max(...webhooks.map((w) => w.timeoutMs), 1000) * 2 + 1000;
  const owner = `notifier:${randomUUID()}`;
  const inFlight = new Set<Promise<void>>();

  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let unsubscribe: (() => Promise<void>) | undefined;
  let passing: Promise<void> | undefined;

  const matching = (event: EventRecord) =>
    isNotificationEventKind(event.kind)
      ? webhooks.filter((w) => w.events.includes(event.kind as NotificationEventKind))
      : [];

  /** The stored cursor; on the first start on a database it is placed at the feed's head. */
  const readCursor = async (): Promise<number> => {
    for (;;) {
      const cursor = await storage.read((tx) => tx.outbox.cursor(cursorName));
      if (cursor !== undefined) return cursor;
      const head = await cp.feedHead();
      await storage.transaction((tx) => tx.outbox.moveCursor(cursorName, undefined, head, now()));
    }
  };

  /** Turns the events after the cursor into deliveries, page by page. */
  const enqueue = async (): Promise<void> => {
    for (;;) {
      const cursor = await readCursor();
      const events = await cp.feed({ afterId: cursor, limit: FEED_PAGE });
      if (events.length === 0) return;
      try {
        await storage.transaction(async (tx) => {
          const at = now();
          for (const event of events) {
            for (const w of matching(event)) {
              const id = uuidv7(at);
              const kinded = event as EventRecord & { readonly kind: NotificationEventKind };
              const body = notificationBody(w, id, kinded, options.publicUrl);
              await tx.outbox.enqueue({
                id,
                webhook: w.name,
                eventId: event.id,
                eventKind: event.kind,
                body,
                createdAt: at,
              });
            }
          }
          const last = events[events.length - 1]!.id;
          // Another instance moved the cursor meanwhile: roll back and re-read (the pair is unique anyway).
          if (!(await tx.outbox.moveCursor(cursorName, cursor, last, at))) throw new CursorMoved();
        });
      } catch (error) {
        if (!(error instanceof CursorMoved)) throw error;
      }
      if (events.length < FEED_PAGE) return;
    }
  };

  const send = async (d: OutboxDelivery): Promise<void> => {
    const w = byName.get(d.webhook)!;
    const failure = await postDelivery(w, d, { timestamp: Math.floor(now() / 1000), userAgent });
    const at = now();
    const dead = failure !== undefined && d.attempts >= w.maxAttempts;
    const settled = await storage.transaction((tx) =>
      tx.outbox.settle(d.id, owner, {
        status: failure === undefined ? "delivered" : dead ? "dead" : "pending",
        nextAttemptAt: failure === undefined || dead ? at : at + retryDelay(d.attempts, w.backoff, random),
        lastError: failure ?? null,
        now: at,
      }),
    );
    const fields = { webhook: w.name, delivery: d.id, event: d.eventId, attempt: d.attempts };
    if (settled === undefined) log("error", "webhook delivery was taken over by another sender", fields);
    else if (dead) log("error", `webhook delivery given up after ${d.attempts} attempts: ${failure}`, fields);
    else if (failure !== undefined) {
      log(
        "info",
        `webhook delivery failed (${failure}); retry at ${new Date(settled.nextAttemptAt).toISOString()}`,
        fields,
      );
    }
  };

  const dispatch = async (): Promise<void> => {
    if (webhooks.length === 0) return;
    for (;;) {
      const at = now();
      const claimed = await storage.transaction((tx) =>
        tx.outbox.claim({
          owner,
          webhooks: [...names],
          now: at,
          leaseUntil: at + leaseMs,
          limit: CLAIM_BATCH,
        }),
      );
      const sends = claimed.map((d) => {
        const p = send(d).catch((error: unknown) =>
          log("error", "webhook delivery could not be recorded", { delivery: d.id, error: String(error) }),
        );
        inFlight.add(p);
        return p.finally(() => inFlight.delete(p));
      });
      await Promise.all(sends);
      if (claimed.length < CLAIM_BATCH || !running) return;
    }
  };

  const retentionMs = options.retentionMs ?? RETENTION_MS;
  let prunedAt = Number.NEGATIVE_INFINITY;
  const prune = async (): Promise<void> => {
    const at = now();
    if (at - prunedAt < PRUNE_EVERY_MS) return;
    prunedAt = at;
    let deleted = 0;
    for (;;) {
      const n = await storage.transaction((tx) => tx.outbox.prune(at - retentionMs, PRUNE_BATCH));
      deleted += n;
      if (n < PRUNE_BATCH || !running) break;
    }
    if (deleted > 0)
      log("info", `webhook outbox: deleted ${deleted} finished deliveries older than the retention`);
  };

  const pass = (): Promise<void> => {
    passing ??= (async () => {
      try {
        await enqueue();
        await dispatch();
        await prune();
      } finally {
        passing = undefined;
      }
    })();
    return passing;
  };

  const sleep = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, pollMs);
    }).finally(() => {
      clearTimeout(timer);
      wake = undefined;
    });

  return {
    async start() {
      if (running) return;
      running = true;
      // Events committed once start() resolved are sent: the cursor exists before the loop runs.
      await readCursor().catch((error: unknown) => {
        running = false;
        throw error;
      });
      unsubscribe = await storage.subscribe(() => wake?.()).catch(() => undefined);
      loop = (async () => {
        while (running) {
          try {
            await pass();
          } catch (error) {
            log("error", "notifier pass failed", { error: String(error) });
          }
          if (running) await sleep();
        }
      })();
    },
    runOnce: pass,
    async stop() {
      if (!running) return;
      running = false;
      wake?.();
      await loop;
      await Promise.all([...inFlight]);
      await unsubscribe?.();
    },
  };
}
