import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  actionFromHints,
  callCost,
  callResource,
  compileToolMap,
  HINT_ACTIONS,
  readArgumentPath,
} from "../../src/mcp/tool-map.js";
import type { ToolMapping } from "../../src/mcp/types.js";

const m = (action: string, extra: Partial<ToolMapping> = {}): ToolMapping => ({
  action,
  hide: false,
  userMayApprove: false,
  ...extra,
});

describe("tool map", () => {
  const map = compileToolMap({
    tools: [
      { pattern: "fs__read_*", mapping: m("fs.read") },
      { pattern: "fs__*", mapping: m("fs.write") },
      { pattern: "pay__charge", mapping: m("pay.charge", { cost: { argument: "amount" } }) },
      { pattern: "any__*", mapping: m(HINT_ACTIONS.destructive, { actionFromHints: true }) },
    ],
  });

  it("first match wins, in config order", () => {
    expect(map.mappingFor("fs__read_file")?.action).toBe("fs.read");
    expect(map.mappingFor("fs__write_file")?.action).toBe("fs.write");
    expect(map.mappingFor("pay__charge")?.action).toBe("pay.charge");
  });

  it("an unmapped tool without a default is denied (undefined); with a default it gets the default", () => {
    expect(map.mappingFor("mem__create")).toBeUndefined();
    const withDefault = compileToolMap({ tools: [], defaultMapping: m("mcp.other") });
    expect(withDefault.mappingFor("mem__create")?.action).toBe("mcp.other");
  });

  it("annotations choose the action only where the config gives none", () => {
    expect(map.mappingFor("any__x", { readOnlyHint: true })?.action).toBe("mcp.read");
    expect(map.mappingFor("any__x", { destructiveHint: false })?.action).toBe("mcp.write");
    expect(map.mappingFor("any__x", { destructiveHint: true })?.action).toBe("mcp.destructive");
    expect(map.mappingFor("any__x")?.action).toBe("mcp.destructive");
    expect(map.mappingFor("any__x", { readOnlyHint: "true" })?.action).toBe("mcp.destructive");
    expect(map.mappingFor("any__x", { readOnlyHint: true })?.actionFromHints).toBeUndefined();
    // A configured action is never overridden by hints.
    expect(map.mappingFor("fs__write_file", { readOnlyHint: true })?.action).toBe("fs.write");
    expect(actionFromHints({ readOnlyHint: true, destructiveHint: true })).toBe("mcp.read");
  });
});

describe("call values", () => {
  it("reads nested argument paths, own properties only", () => {
    expect(readArgumentPath({ order: { items: [{ price: 3 }] } }, "order.items.0.price")).toEqual({
      ok: true,
      value: 3,
    });
    expect(readArgumentPath({ a: {} }, "a.b")).toEqual({ ok: false, reason: "argument args.a.b is missing" });
    expect(readArgumentPath({}, "constructor")).toMatchObject({ ok: false });
    expect(readArgumentPath({ a: [1] }, "a.1")).toMatchObject({ ok: false });
    expect(readArgumentPath({ a: null }, "a")).toMatchObject({ ok: false });
    expect(readArgumentPath(undefined, "a")).toMatchObject({ ok: false });
  });

  it("cost: fixed, from an argument, and never 0 when the argument is bad", () => {
    const fromArg = m("pay", { cost: { argument: "amount" } });
    expect(callCost(m("x"), {})).toEqual({ ok: true, value: 0 });
    expect(callCost(m("x", { cost: { value: 2.5 } }), {})).toEqual({ ok: true, value: 2.5 });
    expect(callCost(fromArg, { amount: "12.50" })).toEqual({ ok: true, value: "12.50" });
    expect(callCost(fromArg, { amount: 7 })).toEqual({ ok: true, value: 7 });
    expect(callCost(fromArg, {})).toEqual({ ok: false, reason: "argument args.amount is missing" });
    expect(callCost(fromArg, { amount: "lots" })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("argument args.amount"),
    });
    expect(callCost(fromArg, { amount: -1 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("non-negative"),
    });
    expect(callCost(fromArg, { amount: true })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("boolean"),
    });
    expect(callCost(fromArg, { amount: Number.NaN })).toMatchObject({ ok: false });
    expect(callCost(fromArg, { amount: 1e-9 })).toMatchObject({ ok: false });
  });

  it("property: any cost accepted from an argument is a valid non-negative amount, never a silent 0", () => {
    const fromArg = m("pay", { cost: { argument: "v" } });
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const r = callCost(fromArg, { v });
        if (r.ok) {
          expect(["number", "string"]).toContain(typeof r.value);
          expect(Number(r.value)).toBeGreaterThanOrEqual(0);
          expect(Number(r.value)).toBe(Number(v));
        } else expect(r.reason).toMatch(/args\.v/);
      }),
    );
  });

  it("resource: the tool name by default, a fixed one, or an argument", () => {
    expect(callResource(m("x"), {}, "fs__write")).toEqual({ ok: true, value: "fs__write" });
    expect(callResource(m("x", { resource: { value: "db" } }), {}, "t")).toEqual({ ok: true, value: "db" });
    const fromArg = m("x", { resource: { argument: "path" } });
    expect(callResource(fromArg, { path: "/tmp/a" }, "t")).toEqual({ ok: true, value: "/tmp/a" });
    expect(callResource(fromArg, { path: 42 }, "t")).toEqual({ ok: true, value: "42" });
    expect(callResource(fromArg, {}, "t")).toEqual({ ok: false, reason: "argument args.path is missing" });
    expect(callResource(fromArg, { path: "" }, "t")).toMatchObject({ ok: false });
    expect(callResource(fromArg, { path: ["a"] }, "t")).toEqual({
      ok: false,
      reason: "argument args.path is not a string (got an array)",
    });
  });
});
