import { describe, expect, it } from "vitest";
import { linkedSignal } from "./linked-signal.js";

describe("linkedSignal", () => {
  it("aborts when any source aborts, with its reason", () => {
    const a = new AbortController();
    const b = new AbortController();
    const { signal } = linkedSignal(a.signal, b.signal);
    expect(signal.aborted).toBe(false);
    b.abort("bye");
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe("bye");
  });

  it("is aborted at once when a source already is", () => {
    const a = new AbortController();
    a.abort("early");
    expect(linkedSignal(new AbortController().signal, a.signal).signal.reason).toBe("early");
  });

  it("no longer follows its sources once disposed", () => {
    const a = new AbortController();
    const { signal, dispose } = linkedSignal(a.signal);
    dispose();
    a.abort();
    expect(signal.aborted).toBe(false);
  });
});
