import { describe, expect, it } from "vitest";
import { canonicalJson } from "../engines/policy/canonical-json.js";
import { checkJsonValue } from "./json-limits.js";

describe("checkJsonValue", () => {
  it("accepts shared (non-cyclic) references and counts them once per place, as serialized", () => {
    const shared = { k: "v" };
    const value = { a: shared, b: [shared, shared] };
    expect(checkJsonValue(value, "args")).toBeUndefined();
    const size = JSON.stringify(value).length;
    expect(checkJsonValue(value, "args", { maxDepth: 64, maxSize: size })).toBeUndefined();
    expect(checkJsonValue(value, "args", { maxDepth: 64, maxSize: size - 1 })?.message).toMatch(
      /larger than/,
    );
  });

  it("checks the depth of a shared subtree at every place it appears", () => {
    const leaf = { x: { y: 1 } };
    const value = { a: leaf, deep: { deeper: { again: leaf } } };
    expect(checkJsonValue(value, "m", { maxDepth: 4, maxSize: 1000 })).toEqual({
      path: "m.deep.deeper.again",
      message: "nested deeper than 4 levels (maxJsonDepth)",
    });
  });

  it("names cycles with the ancestor they return to, and quotes odd keys", () => {
    const o: Record<string, unknown> = {};
    o["a b"] = [o];
    expect(checkJsonValue(o, "args")?.path).toBe('args["a b"][0]');
    expect(checkJsonValue(o, "args")?.message).toBe("circular reference (back to args)");
  });

  it("rejects non-JSON values with their path", () => {
    expect(checkJsonValue({ a: [1, undefined] }, "output")).toEqual({
      path: "output.a[1]",
      message: "expected a JSON value, got undefined",
    });
    expect(checkJsonValue({ d: new Date(0) }, "x")?.message).toBe("expected a JSON value, got a Date");
  });

  it("canonicalJson refuses a cycle instead of overflowing, and a huge DAG instead of hanging", () => {
    const o: Record<string, unknown> = {};
    o.a = o;
    expect(() => canonicalJson(o)).toThrow(/a: circular reference/);
    let level: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 40; i++) level = { a: level, b: level };
    expect(() => canonicalJson(level)).toThrow(/larger than/);
  });
});
