import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors/validation-error.js";
import type { JsonObject } from "../../types/json.js";
import { type ChainedContent, canonicalEvent, canonicalize } from "./canonical-event.js";
import { inCanonicalOrder, NOT_PLAIN } from "./canonical-order.js";
import { CHAIN_GENESIS, chainLink, chainPayload, linkEvent } from "./chain-link.js";

/** RFC 8785 written the plain way (sort every object's members, recurse): the reference the fast path must match. */
function reference(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("non-finite");
    return String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? "null" : reference(v))).join(",")}]`;
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const members = Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`);
    return `{${members.join(",")}}`;
  }
  throw new Error(`not JSON: ${typeof value}`);
}

/** The reference chain link: SHA-256 over the previous link's raw bytes and the canonical text's UTF-8 bytes. */
function referenceLink(prev: string | null, event: ChainedContent): string {
  const text = `{"agentId":${reference(event.agentId)},"at":${reference(event.at)},"kind":${reference(event.kind)},"payload":${reference(event.payload)},"proposalId":${reference(event.proposalId)},"sessionId":${reference(event.sessionId)},"ticketId":${reference(event.ticketId)}}`;
  return createHash("sha256")
    .update(Buffer.from(prev ?? CHAIN_GENESIS, "hex"))
    .update(text, "utf8")
    .digest("hex");
}

const event = (payload: JsonObject, extra: Partial<ChainedContent> = {}): ChainedContent => ({
  sessionId: "s1",
  kind: "proposal_decided",
  agentId: null,
  proposalId: "p1",
  ticketId: null,
  payload,
  at: 1_767_225_600_000,
  ...extra,
});

describe("canonicalize: the JSON.stringify fast path writes exactly the general form", () => {
  it("matches the reference on generated JSON values (sorted, unsorted and integer-like keys, all strings)", () => {
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom("0", "1", "10", "9", "a", "B", "\u20ac", "\ud83d\ude00"),
    );
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ unit: "binary" }),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(key, tie("value"), { maxKeys: 5 }),
      ),
    }));
    fc.assert(
      fc.property(json.value, (v) => {
        expect(canonicalize(v)).toBe(reference(v));
        if (v !== null && typeof v === "object" && !Array.isArray(v)) {
          expect(canonicalEvent(event(v as JsonObject))).toBe(
            `{"agentId":null,"at":1767225600000,"kind":"proposal_decided","payload":${reference(v)},"proposalId":"p1","sessionId":"s1","ticketId":null}`,
          );
        }
      }),
      { seed: 14, numRuns: 2_000 },
    );
  });

  it("treats what JSON.stringify would write differently the general way", () => {
    class Box {
      constructor(readonly b: number) {}
    }
    const date = new Date(0);
    const cases: [unknown, string][] = [
      [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
      [{ 10: "x", 9: "y" }, '{"10":"x","9":"y"}'],
      [{ a: -0, b: 1e21, c: 1e-7 }, '{"a":0,"b":1e+21,"c":1e-7}'],
      [{ a: undefined, b: [undefined] }, '{"b":[null]}'],
      [{ a: date }, '{"a":{}}'],
      [{ a: new Box(1) }, '{"a":{"b":1}}'],
      [{ a: Object.assign(Object.create(null), { z: 1, y: 2 }) }, '{"a":{"y":2,"z":1}}'],
      [{ a: "\ud800" }, '{"a":"\\ud800"}'],
    ];
    for (const [value, text] of cases) expect(canonicalize(value)).toBe(text);
    expect(() => canonicalize({ a: { toJSON: () => 1 } })).toThrow(ValidationError);
    expect(() => canonicalize({ a: [1, { b: Number.POSITIVE_INFINITY }] })).toThrow(
      /a\[1\]\.b: JSON has no NaN/,
    );
    expect(() => canonicalEvent(event({ z: 1, a: Number.NaN }))).toThrow(/payload\.a: JSON has no NaN/);
    expect(() => canonicalEvent({ ...event({}), at: Number.NaN })).toThrow(/at: JSON has no NaN/);
  });
});

describe("linkEvent with its reused input buffer", () => {
  it("gives the reference link for ASCII, non-ASCII and inputs larger than the buffer, in any order", () => {
    const payloads: JsonObject[] = [
      { reason: "ok" },
      { reason: "€ 😀 \ud800 ü".repeat(3_000) },
      { a: "x".repeat(20_000), b: [1, 2, { c: null }] },
      { reason: "short again" },
    ];
    let prev: string | null = null;
    for (const payload of [...payloads, ...payloads.reverse()]) {
      const e = event(payload);
      const link = linkEvent(prev, e);
      expect(link).toBe(referenceLink(prev, e));
      expect(chainLink(prev ?? CHAIN_GENESIS, chainPayload(e))).toBe(link);
      prev = link;
    }
  });

  it("is deterministic for a malformed previous link (zeros after its valid hex)", () => {
    const e = event({ n: 1 });
    linkEvent(null, event({ big: "f".repeat(5_000) }));
    const a = linkEvent("zz", e);
    linkEvent(null, event({ other: 1 }));
    expect(linkEvent("zz", e)).toBe(a);
    expect(a).toBe(linkEvent("0".repeat(64), e));
  });
});

describe("inCanonicalOrder", () => {
  it("returns plain values as they are and reorders only what needs it, without touching the input", () => {
    const sorted = { a: 1, b: { c: [1, { d: 2 }] } };
    expect(inCanonicalOrder(sorted)).toBe(sorted);
    const nested = { a: 1, b: [{ z: 1, y: 2 }] };
    const ordered = inCanonicalOrder(nested) as typeof nested;
    expect(ordered).not.toBe(nested);
    expect(JSON.stringify(ordered)).toBe('{"a":1,"b":[{"y":2,"z":1}]}');
    expect(JSON.stringify(nested)).toBe('{"a":1,"b":[{"z":1,"y":2}]}');
    for (const v of [
      { 10: 1, 9: 2 },
      JSON.parse('{"b":1,"__proto__":2}'),
      { a: 1n },
      { a: () => 1 },
      new Date(0),
    ]) {
      expect(inCanonicalOrder(v)).toBe(NOT_PLAIN);
    }
  });
});
