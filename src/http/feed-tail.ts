import type { ControlPlane } from "../control-plane/control-plane.js";
import type { EventRecord } from "../types/event.js";

/** Events read from the feed per read. */
const PAGE = 500;

/** Options of {@link tailFeed}. */
export interface TailFeedOptions {
  /** Start after this feed id (the events with a greater id are yielded). */
  readonly after: number;
  /** Only the events of this session. */
  readonly sessionId?: string;
  /** Stops the tail (the generator returns). */
  readonly signal: AbortSignal;
  /** How often the feed is read when nothing new came (ms). */
  readonly pollIntervalMs: number;
  /** An empty batch is yielded after this long without events, for the caller's keep-alive (ms). */
  readonly keepAliveMs: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (signal.aborted) done();
    else signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Follows the global feed from `after`: yields each batch of new events in feed order, and an empty batch when
 * `keepAliveMs` passed without any (so a stream can send a keep-alive). Returns when `signal` aborts; a storage
 * error is thrown to the caller. Used by every live stream (`/v1/events/stream`, the dashboard's `/ui/stream`).
 */
export async function* tailFeed(
  cp: ControlPlane,
  options: TailFeedOptions,
): AsyncGenerator<readonly EventRecord[], void, undefined> {
  let after = options.after;
  let quietSince = Date.now();
  while (!options.signal.aborted) {
    const events = await cp.feed({
      afterId: after,
      limit: PAGE,
      ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }),
    });
    if (events.length > 0) {
      after = events[events.length - 1]!.id;
      quietSince = Date.now();
      yield events;
      if (events.length === PAGE) continue;
    } else if (Date.now() - quietSince >= options.keepAliveMs) {
      quietSince = Date.now();
      yield [];
    }
    await sleep(Math.min(options.pollIntervalMs, options.keepAliveMs), options.signal);
  }
}
