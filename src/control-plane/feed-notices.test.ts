import { setImmediate as turn } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { ValidationError } from "../errors/validation-error.js";
import { createMemoryStorage } from "../storage/memory/memory-storage.js";
import type { Storage } from "../storage/storage.js";
import type { ControlPlane } from "./control-plane.js";
import { createControlPlane } from "./create-control-plane.js";

const POLICY = { version: 1, actions: { autoApprove: ["write_file"] } } as const;

/** A storage whose transactions wait, while `hold()` is in force, for its release (to add a listener mid-flight). */
function gatedStorage(inner: Storage): Storage & { hold(): () => void } {
  let gate: Promise<void> = Promise.resolve();
  return {
    dialect: inner.dialect,
    read: (fn) => inner.read(fn),
    subscribe: (listener) => inner.subscribe(listener),
    close: () => inner.close(),
    async transaction(fn, options) {
      await gate;
      return inner.transaction(fn, options);
    },
    hold() {
      let release!: () => void;
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      return release;
    },
  };
}

describe("ControlPlane.watchFeed (in-process feed notices)", () => {
  let cp: ControlPlane | undefined;
  afterEach(async () => {
    await cp?.close();
    cp = undefined;
  });

  const start = async (storage: Storage = createMemoryStorage()) => {
    cp = await createControlPlane({ storage, policy: POLICY });
    return cp;
  };

  it("calls the listener after a transaction that appended events commits, and stops when unsubscribed", async () => {
    const c = await start();
    const session = await c.openSession({ name: "s" });
    let calls = 0;
    const stop = c.watchFeed(() => {
      calls++;
    });
    expect(calls).toBe(0);
    const d = await c.propose({ sessionId: session.id, action: "write_file", resourceId: "a" });
    await turn();
    expect(calls).toBe(1);
    // The events the notice announced are in the feed by then.
    const feed = await c.feed({ afterId: 0 });
    expect(feed.some((e) => e.proposalId === d.proposalId)).toBe(true);
    stop();
    stop(); // idempotent
    await c.propose({ sessionId: session.id, action: "write_file", resourceId: "b" });
    await turn();
    expect(calls).toBe(1);
  });

  it("stays silent for a transaction that appended nothing and for one that failed", async () => {
    const c = await start();
    const session = await c.openSession({ name: "s" });
    const d = await c.propose({ sessionId: session.id, action: "write_file", resourceId: "a" });
    let calls = 0;
    const stop = c.watchFeed(() => {
      calls++;
    });
    await c.heartbeat(d.proposalId); // renews a lease: no event
    await expect(c.propose({ sessionId: "no-such-session", action: "write_file" })).rejects.toThrow();
    await turn();
    expect(calls).toBe(0);
    stop();
  });

  it("wakes a listener added while a transaction was already running", async () => {
    const storage = gatedStorage(createMemoryStorage());
    const c = await start(storage);
    const session = await c.openSession({ name: "s" });
    const release = storage.hold();
    // Nobody listens when this transaction starts: it is not watched for appends, yet its commit must wake.
    const proposing = c.propose({ sessionId: session.id, action: "write_file", resourceId: "a" });
    let calls = 0;
    const stop = c.watchFeed(() => {
      calls++;
    });
    release();
    await proposing;
    await turn();
    expect(calls).toBe(1);
    stop();
  });

  it("isolates a throwing listener: the commit succeeds and the other listeners are called", async () => {
    const c = await start();
    let calls = 0;
    const stopBad = c.watchFeed(() => {
      throw new Error("listener bug");
    });
    const stopGood = c.watchFeed(() => {
      calls++;
    });
    await expect(c.openSession({ name: "s" })).resolves.toMatchObject({ name: "s" });
    await turn();
    expect(calls).toBe(1);
    stopBad();
    stopGood();
  });

  it("does not call a listener that an earlier listener of the same notice removed", async () => {
    const c = await start();
    let stopLate = () => {};
    const stopFirst = c.watchFeed(() => stopLate()); // called first (added first): removes the next one
    let late = 0;
    stopLate = c.watchFeed(() => {
      late++;
    });
    await c.openSession({ name: "s" });
    await turn();
    expect(late).toBe(0);
    stopFirst();
  });

  it("rejects a listener that is not a function", async () => {
    const c = await start();
    expect(() => c.watchFeed(42 as never)).toThrow(ValidationError);
  });
});
