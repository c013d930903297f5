import { createHash } from "node:crypto";
import { ValidationError } from "../../errors/validation-error.js";
import {
  checkJsonValue,
  type JsonLimits,
  MAX_JSON_DEPTH_LIMIT,
  MAX_JSON_SIZE_LIMIT,
} from "../../types/json-limits.js";

/** Limits of {@link canonicalJson}'s own guard: generous, they only stop hostile shapes from hanging it. */
const CANONICAL_LIMITS: JsonLimits = Object.freeze({
  maxDepth: MAX_JSON_DEPTH_LIMIT,
  maxSize: MAX_JSON_SIZE_LIMIT,
});

/**
 * Serialises a JSON-compatible value with object keys sorted at every level (`undefined` properties omitted), so
 * that equal documents give equal strings. A cycle, or a shared structure too large once expanded, is refused
 * in linear time before serialising.
 * @throws ValidationError naming the path of a cycle, or of the place the value grows too deep or too large.
 * @example canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === "object") {
    const issue = checkJsonValue(value, "", CANONICAL_LIMITS, true);
    if (issue) throw new ValidationError([issue]);
  }
  return serialize(value);
}

function serialize(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => serialize(v === undefined ? null : v)).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${serialize(obj[k])}`).join(",")}}`;
}

/** The stable id of a policy document: the first 32 hex digits of the SHA-256 of its canonical JSON. */
export function policyId(document: unknown): string {
  return createHash("sha256").update(canonicalJson(document)).digest("hex").slice(0, 32);
}

/** Freezes an object graph in place and returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
