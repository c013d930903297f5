import type { ControlPlane } from "../control-plane/control-plane.js";
import type { EventRecord } from "../types/event.js";

/** A running follower of the global feed. */
export interface FeedFollower {
  /** Reads what is left in the feed once more, then stops. */
  stop(): Promise<void>;
}

const PAGE = 500;

/**
 * Follows the control plane's global feed from its current end and calls `onEvent` for each new state change
 * (every `intervalMs`; passes never overlap). With several servers on one PostgreSQL database each one sees every
 * instance's changes. A failing read is reported to `onError` and retried on the next tick.
 */
export async function followFeed(
  cp: ControlPlane,
  options: {
    readonly intervalMs: number;
    readonly onEvent: (event: EventRecord) => void;
    readonly onError: (error: unknown) => void;
  },
): Promise<FeedFollower> {
  // Skip the history: only changes from now on are logged.
  let after = await cp.feedHead();
  const drain = async () => {
    for (;;) {
      const page = await cp.feed({ afterId: after, limit: PAGE });
      for (const event of page) {
        after = event.id;
        options.onEvent(event);
      }
      if (page.length < PAGE) return;
    }
  };
  let running: Promise<void> | undefined;
  const pass = () => {
    running ??= drain()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void pass(), options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await pass();
    },
  };
}
