import { describe, expect, it } from "vitest";
import { CompletionQueue } from "../../src/mcp/call-completions.js";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe("CompletionQueue", () => {
  it("settled(session) waits for that session's recordings only, and idle() for all", async () => {
    const q = new CompletionQueue();
    expect(q.settled("s1")).toBeUndefined();
    const a = deferred();
    const b = deferred();
    q.add("s1", a.promise);
    q.add("s2", b.promise);
    let s1 = false;
    let all = false;
    void q.settled("s1")?.then(() => {
      s1 = true;
    });
    void q.idle().then(() => {
      all = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect([s1, all]).toEqual([false, false]);
    a.resolve();
    await new Promise((r) => setTimeout(r, 5));
    expect([s1, all]).toEqual([true, false]);
    b.resolve();
    await new Promise((r) => setTimeout(r, 5));
    expect(all).toBe(true);
    expect(q.settled("s1")).toBeUndefined();
    expect(q.settled("s2")).toBeUndefined();
  });
});
