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

/**
 * Resolves after `ms`, when `signal` aborts, or when `wake` is called (whichever first). `setWake` receives the
 * function that ends this wait (and `undefined` once it ended).
 */
function waitForNotice(
  ms: number,
  signal: AbortSignal,
  setWake: (wake: (() => void) | undefined) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      setWake(undefined);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (signal.aborted) done();
    else {
      signal.addEventListener("abort", done, { once: true });
      setWake(done);
    }
  });
}

/**
 * Follows the global feed from `after`: yields each batch of new events in feed order, and an empty batch when
 * `keepAliveMs` passed without any (so a stream can send a keep-alive). Reads the feed again as soon as a
 * commit of this process appended events ({@link ControlPlane.watchFeed}), else every `pollIntervalMs` (which
 * finds the commits of other processes). Commits during a read (or while the caller handles a batch) cause
 * one more read, however many they are. The feed read alone decides what is yielded, so nothing is skipped.
 * Returns when `signal` aborts, and stops watching the feed when the generator ends; a storage error is thrown
 * to the caller. Used by every live stream (`/v1/events/stream`, the dashboard's `/ui/stream`).
 */
export async function* tailFeed(
  cp: ControlPlane,
  options: TailFeedOptions,
): AsyncGenerator<readonly EventRecord[], void, undefined> {
  let after = options.after;
  let quietSince = Date.now();
  let noticed = false;
  let wake: (() => void) | undefined;
  const stopWatching = cp.watchFeed(() => {
    noticed = true;
    wake?.();
  });
  try {
    while (!options.signal.aborted) {
      noticed = false;
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
      if (noticed) continue;
      const ms = Math.min(options.pollIntervalMs, options.keepAliveMs);
      await waitForNotice(ms, options.signal, (w) => {
        wake = w;
      });
    }
  } finally {
    stopWatching();
  }
}
