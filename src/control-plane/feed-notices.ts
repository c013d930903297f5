import type { EventStore, Storage, StorageTx } from "../storage/storage.js";
import type { EventRecord, NewEvent } from "../types/event.js";

/**
 * In-process feed notices of one control plane: a storage wrapper that sees each facade transaction commit, and
 * the listeners woken when one that appended events did. @internal
 */
export interface FeedNotices {
  /** Adds a listener; returns the function that removes it (idempotent). See `ControlPlane.watchFeed`. */
  watch(listener: () => void): () => void;
  /**
   * The storage the facade writes through: `transaction` wakes the listeners once it committed a transaction
   * that appended events (and so does `speculation.apply`). Every other member is the given storage's.
   */
  track(storage: Storage): Storage;
}

/**
 * Creates the feed notices of one control plane.
 *
 * Cost when nobody listens: one `Set.size` check before and one after each write transaction, and one `.then`
 * (no wrapper of the transaction handle). When someone listens, the handle's `events.append` is wrapped to learn whether the
 * transaction appended anything. A transaction that began while nobody listened and commits while someone
 * does wakes the listeners without knowing (a notice only means "read the feed again"). Transactions run
 * inside a host's own transaction (`external`) notify nothing: they are not committed when they resolve (the
 * streams' poll interval finds them). Notices of one turn of the event loop are delivered once (microtask).
 * @internal
 */
export function createFeedNotices(): FeedNotices {
  const listeners = new Set<() => void>();
  let scheduled = false;
  const deliver = () => {
    scheduled = false;
    for (const listener of [...listeners]) {
      if (!listeners.has(listener)) continue; // removed by an earlier listener of this delivery
      try {
        listener();
      } catch {
        // A listener's failure is its own: the commit already happened and other listeners still get theirs.
      }
    }
  };
  const wake = () => {
    if (scheduled || listeners.size === 0) return;
    scheduled = true;
    queueMicrotask(deliver);
  };
  const wakeIfListened = <T>(result: T): T => {
    if (listeners.size > 0) wake();
    return result;
  };
  return {
    watch(listener) {
      const entry = () => listener();
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    track(storage) {
      const spec = storage.speculation;
      // A speculative apply that appended events wakes the listeners like a committed transaction.
      const speculation: Storage["speculation"] = spec && {
        snapshot: (query) => spec.snapshot(query),
        apply: (plan) =>
          spec.apply(plan).then((applied) => {
            if (applied && listeners.size > 0 && plan.writes.some((w) => w.op === "event_append")) wake();
            return applied;
          }),
      };
      return {
        ...(speculation === undefined ? {} : { speculation }),
        dialect: storage.dialect,
        read: (fn) => storage.read(fn),
        subscribe: (listener) => storage.subscribe(listener),
        close: () => storage.close(),
        transaction(fn, options) {
          if (options?.external !== undefined) return storage.transaction(fn, options);
          if (listeners.size === 0) return storage.transaction(fn, options).then(wakeIfListened);
          const marker = new AppendMarker();
          return storage
            .transaction((tx) => fn(marker.wrap(tx)), options)
            .then((result) => {
              if (marker.appended) wake();
              return result;
            });
        },
      };
    },
  };
}

/**
 * Learns whether a transaction appended events: `wrap(tx)` is `tx` whose `events.append` sets `appended`.
 * (A class, not closures: this runs for every transaction while someone listens.)
 */
class AppendMarker implements EventStore {
  appended = false;
  private inner: EventStore | undefined;

  wrap(tx: StorageTx): StorageTx {
    this.inner = tx.events;
    return { ...tx, events: this };
  }

  append(event: NewEvent): Promise<EventRecord> {
    this.appended = true;
    return this.inner!.append(event);
  }

  list(sessionId: string, query: { readonly afterSeq?: number; readonly limit: number }) {
    return this.inner!.list(sessionId, query);
  }

  feed(query: { readonly afterId?: number; readonly sessionId?: string; readonly limit: number }) {
    return this.inner!.feed(query);
  }

  chain(
    sessionId: string,
    query: { readonly afterSeq?: number; readonly upToSeq: number; readonly limit: number },
  ) {
    return this.inner!.chain(sessionId, query);
  }

  chainHeads(query: {
    readonly sessionId?: string;
    readonly afterSessionId?: string;
    readonly limit: number;
  }) {
    return this.inner!.chainHeads(query);
  }
}
