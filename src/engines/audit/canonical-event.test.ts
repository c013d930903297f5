import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors/validation-error.js";
import { canonicalEvent, canonicalize } from "./canonical-event.js";

/** The IEEE 754 double whose bits are the 16 hex digits `hex`. */
function double(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe("canonicalize (RFC 8785)", () => {
  it("serializes the RFC's sample object (section 3.2.2): sorted members, shortest numbers, minimal escapes", () => {
    // The RFC's input JSON text, parsed as a JSON reader would.
    const input: unknown = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts member names by UTF-16 code units (the RFC's sorting example, section 3.2.3)", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    const order = [...canonicalize(input).matchAll(/"([^"]*)":"([^"]*)"/g)].map((m) => m[2]);
    expect(order).toEqual([
      "Carriage Return",
      "One",
      "Control",
      "Latin Small Letter O With Diaeresis",
      "Euro Sign",
      "Emoji: Grinning Face",
      "Hebrew Letter Dalet With Dagesh",
    ]);
  });

  it("writes numbers as the RFC's appendix B examples (IEEE 754 bits → text)", () => {
    const cases: [string, string][] = [
      ["0000000000000000", "0"],
      ["8000000000000000", "0"],
      ["0000000000000001", "5e-324"],
      ["8000000000000001", "-5e-324"],
      ["7fefffffffffffff", "1.7976931348623157e+308"],
      ["ffefffffffffffff", "-1.7976931348623157e+308"],
      ["4340000000000000", "9007199254740992"],
      ["c340000000000000", "-9007199254740992"],
      ["4430000000000000", "295147905179352830000"],
      ["44b52d02c7e14af5", "9.999999999999997e+22"],
      ["44b52d02c7e14af6", "1e+23"],
      ["44b52d02c7e14af7", "1.0000000000000001e+23"],
      ["444b1ae4d6e2ef4e", "999999999999999700000"],
      ["444b1ae4d6e2ef4f", "999999999999999900000"],
      ["444b1ae4d6e2ef50", "1e+21"],
      ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
      ["3eb0c6f7a0b5ed8d", "0.000001"],
      ["41b3de4355555553", "333333333.3333332"],
      ["41b3de4355555554", "333333333.33333325"],
      ["41b3de4355555555", "333333333.3333333"],
      ["41b3de4355555556", "333333333.3333334"],
      ["41b3de4355555557", "333333333.33333343"],
      ["becbf647612f3696", "-0.0000033333333333333333"],
      ["43143ff3c1cb0959", "1424953923781206.2"],
    ];
    for (const [bits, text] of cases) expect([bits, canonicalize(double(bits))]).toEqual([bits, text]);
  });

  it("refuses NaN and the infinities (appendix B), naming the path", () => {
    for (const bits of ["7fffffffffffffff", "7ff0000000000000"]) {
      expect(() => canonicalize({ a: [1, { b: double(bits) }] })).toThrow(ValidationError);
    }
    expect(() => canonicalize({ a: [1, { b: Number.NaN }] })).toThrow(/a\[1\]\.b: JSON has no NaN/);
  });

  it("compares member names by code unit, not code point: U+FFFF sorts after a surrogate pair", () => {
    // "\ud83d\ude00" (U+1F600) starts with code unit 0xD83D < 0xFFFF; by code point it would come last.
    expect(canonicalize({ "\uffff": 1, "\ud83d\ude00": 2 })).toBe('{"\ud83d\ude00":2,"\uffff":1}');
  });

  it("omits undefined members and writes undefined array items as null, as a JSON store keeps them", () => {
    expect(canonicalize({ b: undefined, a: [undefined, 1] })).toBe('{"a":[null,1]}');
  });

  it("nests: arrays keep their order, objects inside are sorted, no whitespace", () => {
    expect(canonicalize([{ z: { y: 1, x: [3, 2] }, a: "" }, [], {}])).toBe(
      '[{"a":"","z":{"x":[3,2],"y":1}},[],{}]',
    );
  });
});

describe("canonicalEvent", () => {
  it("covers exactly the appended content, absent ids as null, in canonical member order", () => {
    expect(
      canonicalEvent({
        sessionId: "s1",
        kind: "proposal_decided",
        payload: { z: 1, a: "x" },
        at: 5,
        ticketId: "t",
      }),
    ).toBe(
      '{"agentId":null,"at":5,"kind":"proposal_decided","payload":{"a":"x","z":1},"proposalId":null,"sessionId":"s1","ticketId":"t"}',
    );
  });

  it("gives the same text whatever the payload's key order", () => {
    const a = canonicalEvent({
      sessionId: "s",
      kind: "session_opened",
      payload: { b: 1, a: { d: 2, c: 3 } },
      at: 1,
    });
    const b = canonicalEvent({
      sessionId: "s",
      kind: "session_opened",
      payload: { a: { c: 3, d: 2 }, b: 1 },
      at: 1,
    });
    expect(a).toBe(b);
  });
});
