import { setImmediate as turn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { tailFeed } from "../../src/http/feed-tail.js";
import type { EventRecord } from "../../src/types/event.js";

/** One `feed()` call of the fake: its query, and how to answer it. */
interface FeedCall {
  readonly afterId: number;
  answer(events: readonly EventRecord[]): void;
}

/** A control plane with only `feed` (each call waits for the test's answer) and `watchFeed` (notices by hand). */
function fakeControlPlane() {
  const listeners = new Set<() => void>();
  const calls: FeedCall[] = [];
  const cp = {
    feed(query: { afterId: number }) {
      return new Promise<readonly EventRecord[]>((resolve) => {
        calls.push({ afterId: query.afterId, answer: resolve });
      });
    },
    watchFeed(listener: () => void) {
      const entry = () => listener();
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  } as unknown as ControlPlane;
  const notice = () => {
    for (const l of [...listeners]) l();
  };
  /** Lets pending promise callbacks and timers-free work run. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await turn();
  };
  return { cp, calls, listeners, notice, settle };
}

function event(id: number): EventRecord {
  return {
    id,
    sessionId: "s",
    seq: id,
    kind: "session_opened",
    payload: {},
    at: id,
  } as unknown as EventRecord;
}

const SLOW_POLL = { pollIntervalMs: 3_600_000, keepAliveMs: 3_600_000 };

describe("tailFeed wakes on feed notices", () => {
  it("reads again at once on a notice although the poll interval is an hour", async () => {
    const f = fakeControlPlane();
    const stop = new AbortController();
    const tail = tailFeed(f.cp, { after: 7, signal: stop.signal, ...SLOW_POLL });
    const first = tail.next();
    await f.settle();
    expect(f.calls.map((c) => c.afterId)).toEqual([7]);
    f.calls[0]!.answer([]);
    await f.settle();
    expect(f.calls).toHaveLength(1); // waiting: no notice yet
    f.notice();
    await f.settle();
    expect(f.calls).toHaveLength(2);
    f.calls[1]!.answer([event(8), event(9)]);
    expect((await first).value).toEqual([event(8), event(9)]);
    // The next read resumes after the last event yielded.
    const second = tail.next();
    await f.settle();
    f.notice();
    await f.settle();
    expect(f.calls.at(-1)!.afterId).toBe(9);
    stop.abort();
    f.calls.at(-1)!.answer([]);
    expect((await second).done).toBe(true);
  });

  it("coalesces: many notices during a read cause exactly one more read", async () => {
    const f = fakeControlPlane();
    const stop = new AbortController();
    const tail = tailFeed(f.cp, { after: 0, signal: stop.signal, ...SLOW_POLL });
    const next = tail.next();
    await f.settle();
    f.calls[0]!.answer([]);
    await f.settle();
    f.notice();
    await f.settle();
    expect(f.calls).toHaveLength(2); // a read in flight
    for (let i = 0; i < 20; i++) f.notice();
    f.calls[1]!.answer([]);
    await f.settle();
    expect(f.calls).toHaveLength(3); // one more read for all twenty
    f.calls[2]!.answer([]);
    await f.settle();
    expect(f.calls).toHaveLength(3); // then it waits again
    stop.abort();
    expect((await next).done).toBe(true);
  });

  it("reads again after a batch when a notice came while the caller handled it", async () => {
    const f = fakeControlPlane();
    const tail = tailFeed(f.cp, { after: 0, signal: new AbortController().signal, ...SLOW_POLL });
    const first = tail.next();
    await f.settle();
    f.calls[0]!.answer([event(1)]);
    expect((await first).value).toEqual([event(1)]);
    f.notice(); // while the caller holds the batch (the generator is suspended at its yield)
    const second = tail.next();
    await f.settle();
    expect(f.calls).toHaveLength(2);
    f.calls[1]!.answer([event(2)]);
    expect((await second).value).toEqual([event(2)]);
    await tail.return(undefined);
  });

  it("stops watching the feed when the signal aborts or the consumer stops", async () => {
    const f = fakeControlPlane();
    const stop = new AbortController();
    const tail = tailFeed(f.cp, { after: 0, signal: stop.signal, ...SLOW_POLL });
    const next = tail.next();
    await f.settle();
    expect(f.listeners.size).toBe(1);
    f.calls[0]!.answer([]);
    await f.settle();
    stop.abort();
    expect((await next).done).toBe(true);
    expect(f.listeners.size).toBe(0);

    const other = tailFeed(f.cp, { after: 0, signal: new AbortController().signal, ...SLOW_POLL });
    const got = other.next();
    await f.settle();
    f.calls.at(-1)!.answer([event(1)]);
    await got;
    expect(f.listeners.size).toBe(1);
    await other.return(undefined);
    expect(f.listeners.size).toBe(0);
  });
});
