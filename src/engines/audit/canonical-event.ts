import { ValidationError } from "../../errors/validation-error.js";
import type { NewEvent } from "../../types/event.js";
import type { JsonObject } from "../../types/json.js";
import { inCanonicalOrder, NOT_PLAIN } from "./canonical-order.js";

/**
 * The JSON Canonicalization Scheme (RFC 8785) of a JSON value, written from the RFC's rules:
 * - no whitespace;
 * - literals `null`, `true`, `false` as is;
 * - numbers as ECMAScript serializes an IEEE 754 double (`Number.prototype.toString`: shortest round-tripping
 *   digits, exponent form from 1e21 and below 1e-6, `-0` as `0`); `NaN` and the infinities are refused;
 * - strings as ECMAScript `JSON.stringify` writes them (`\"`, `\\`, `\b \f \n \r \t`, other controls below
 *   U+0020 as `\u00xx` in lowercase hex, everything else literally; a lone surrogate as a `\udxxx` escape, so the
 *   output is always well-formed Unicode);
 * - object members sorted by their names compared as arrays of UTF-16 code units (not by code point, not by
 *   locale), recursively; array elements in their order.
 *
 * Like `JSON.stringify`, a property whose value is `undefined` is omitted and an `undefined` array element is
 * written `null`, so that the canonical form describes exactly what a JSON store keeps.
 * @throws ValidationError naming the path of a non-finite number or a value JSON cannot hold.
 * @example
 * canonicalize({ b: [1e21, 0.000001], a: "€" }); // '{"a":"€","b":[1e+21,0.000001]}'
 */
export function canonicalize(value: unknown): string {
  if (value !== undefined) {
    // The common case: one native JSON.stringify of the value (or of a copy with its members put in order).
    const ordered = inCanonicalOrder(value);
    if (ordered !== NOT_PLAIN) return JSON.stringify(ordered);
  }
  // Rare (a member to omit, a non-plain object, a value JSON cannot hold): the general writer.
  return write(value, "");
}

/**
 * The general writer: RFC 8785 by hand, carrying the path of each value so that the error names where a value JSON
 * cannot hold is.
 */
function write(value: unknown, path: string): string {
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) {
        throw new ValidationError([
          { path: path || "(root)", message: "JSON has no NaN or Infinity", received: value },
        ]);
      }
      return String(value);
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          const item: unknown = value[i];
          out += item === undefined ? "null" : write(item, `${path}[${i}]`);
        }
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = "{";
      let first = true;
      for (const key of keys) {
        const member = obj[key];
        if (member === undefined) continue;
        if (!first) out += ",";
        first = false;
        out += `${JSON.stringify(key)}:${write(member, path ? `${path}.${key}` : key)}`;
      }
      return `${out}}`;
    }
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    default:
      throw new ValidationError([
        { path: path || "(root)", message: `JSON cannot hold a ${typeof value}`, received: String(value) },
      ]);
  }
}

/**
 * The part of an event that its chain link covers: everything the caller appended. `id` (the global feed
 * position) and `seq` (the per-session position) are not in it: the store assigns them, and `seq` is bound by the
 * chain itself (the link of seq n is computed from the link of seq n - 1).
 */
export interface ChainedContent {
  readonly sessionId: string | null;
  readonly kind: string;
  readonly agentId: string | null;
  readonly proposalId: string | null;
  readonly ticketId: string | null;
  readonly payload: JsonObject;
  readonly at: number;
}

/**
 * The canonical JSON (RFC 8785) of an event's chained content: an object with exactly the members `agentId`,
 * `at`, `kind`, `payload`, `proposalId`, `sessionId`, `ticketId` (in that order, absent ids as `null`).
 * @example
 * canonicalEvent({ sessionId: "s1", kind: "session_opened", payload: { name: "n" }, at: 5 });
 * // '{"agentId":null,"at":5,"kind":"session_opened","payload":{"name":"n"},"proposalId":null,"sessionId":"s1","ticketId":null}'
 */
export function canonicalEvent(event: NewEvent | ChainedContent): string {
  const { at, kind, payload } = event;
  const ordered = typeof payload === "object" && payload !== null ? inCanonicalOrder(payload) : NOT_PLAIN;
  if (typeof kind === "string" && typeof at === "number" && Number.isFinite(at) && ordered !== NOT_PLAIN) {
    // One native JSON.stringify of the members in their canonical order: this runs for every appended event.
    return JSON.stringify({
      agentId: event.agentId ?? null,
      at,
      kind,
      payload: ordered,
      proposalId: event.proposalId ?? null,
      sessionId: event.sessionId ?? null,
      ticketId: event.ticketId ?? null,
    });
  }
  return `{"agentId":${idText(event.agentId)},"at":${write(at, "at")},"kind":${JSON.stringify(kind)},"payload":${write(payload, "payload")},"proposalId":${idText(event.proposalId)},"sessionId":${idText(event.sessionId)},"ticketId":${idText(event.ticketId)}}`;
}

function idText(v: string | null | undefined): string {
  return v == null ? "null" : JSON.stringify(v);
}
