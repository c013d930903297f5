/**
 * fast-check arbitraries from JSON Schema nodes of the OpenAPI document: values that mostly fit the schema,
 * then broken in one place (a required key dropped, an unknown key added, a field of the wrong type or absurd
 * size), so requests get past the first check and reach deeper ones.
 */
import fc from "fast-check";
import type { Schema } from "./openapi-routes.js";

/** A deeply nested JSON text (`[[[…]]]` or `{"a":{"a":…}}`) of the given depth, built without recursion. */
export function deepJson(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? "[".repeat(depth) + "]".repeat(depth)
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

const DEEP_VALUE = JSON.parse(deepJson(3_000, "object")) as unknown;
const LONG = "x".repeat(100_000);

/** Values that are wrong for nearly any field: odd numbers, odd strings, odd shapes. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    -1,
    0,
    1.5,
    1e308,
    -1e308,
    2 ** 53 + 1,
    -(2 ** 63),
    "",
    " ",
    "NaN",
    "Infinity",
    "-Infinity",
    "-1",
    "1e999",
    "0x1f",
    "1_000",
    "12345678901234567890.1234567",
    true,
    false,
    [],
    {},
    [null],
    "\u0000",
    "\ud800",
    "\udfff\ud800",
    "\u202e\u2066rtl",
    "e\u0301\u0301\u0301",
    "💥".repeat(64),
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "__proto__",
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } },
    DEEP_VALUE,
    LONG,
    Array.from({ length: 5_000 }, (_, i) => i),
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.double(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
);

/** An arbitrary of values that satisfy `schema` as far as this small interpreter understands it. */
export function fitting(schema: Schema, ids: readonly string[], depth = 0): fc.Arbitrary<unknown> {
  if (depth > 4) return fc.constant(null);
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (alternatives && alternatives.length > 0)
    return fc.oneof(...alternatives.map((s) => fitting(s, ids, depth + 1)));
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0)
    return fitting(schema.allOf[0] as Schema, ids, depth + 1);
  if (Array.isArray(schema.enum) && schema.enum.length > 0)
    return fc.constantFrom(...(schema.enum as unknown[]));
  if ("const" in schema) return fc.constant(schema.const);
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  return fc.oneof(...types.map((t) => fittingType(t, schema, ids, depth)));
}

function fittingType(
  type: string | undefined,
  schema: Schema,
  ids: readonly string[],
  depth: number,
): fc.Arbitrary<unknown> {
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
    case "number": {
      const min = typeof schema.minimum === "number" ? schema.minimum : 0;
      const max = typeof schema.maximum === "number" ? schema.maximum : Math.max(min, 1_000);
      const int = fc.integer({ min: Math.ceil(min), max: Math.floor(Math.min(max, 2 ** 31)) });
      return type === "integer"
        ? int
        : fc.oneof(
            int,
            int.map((n) => n + 0.25),
          );
    }
    case "string": {
      if (schema.format === "uuid" || /_id$/.test(String(schema.title ?? ""))) {
        return ids.length > 0 ? fc.oneof(fc.constantFrom(...ids), fc.uuid()) : fc.uuid();
      }
      if (schema.format === "date-time") return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      const minLength = typeof schema.minLength === "number" ? schema.minLength : 0;
      const maxLength = typeof schema.maxLength === "number" ? schema.maxLength : minLength + 20;
      return fc.oneof(
        fc.string({ minLength, maxLength: Math.min(maxLength, minLength + 20) }),
        ids.length > 0 ? fc.constantFrom(...ids) : fc.constant("x".repeat(Math.max(1, minLength))),
        fc.constantFrom(
          "read_file",
          "write_file",
          "send_payment",
          "deploy",
          "5",
          "0.01",
          "agent-a",
          "agent-b",
        ),
      );
    }
    case "array": {
      const items = (schema.items ?? {}) as Schema;
      return fc.array(fitting(items, ids, depth + 1), { maxLength: 3 });
    }
    case "object":
      return fittingObject(schema, ids, depth);
    default:
      if (schema.properties) return fittingObject(schema, ids, depth);
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function fittingObject(schema: Schema, ids: readonly string[], depth: number): fc.Arbitrary<unknown> {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const keys = Object.keys(props);
  if (keys.length === 0)
    return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const k of keys) model[k] = fitting(props[k]!, ids, depth + 1);
  return fc.record(model, { requiredKeys: keys.filter((k) => required.has(k)) });
}

/** One way to break a value. */
type Mutation =
  | { kind: "none" }
  | { kind: "drop"; index: number }
  | { kind: "extra"; key: string; value: unknown }
  | { kind: "replace"; index: number; value: unknown }
  | { kind: "whole"; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<Mutation>({ kind: "none" }) },
  { weight: 2, arbitrary: fc.nat().map((index): Mutation => ({ kind: "drop", index })) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("__proto__", "decided_by", "id")),
        value: nastyValue,
      })
      .map((r): Mutation => ({ kind: "extra", ...r })),
  },
  {
    weight: 4,
    arbitrary: fc
      .record({ index: fc.nat(), value: nastyValue })
      .map((r): Mutation => ({ kind: "replace", ...r })),
  },
  { weight: 1, arbitrary: nastyValue.map((value): Mutation => ({ kind: "whole", value })) },
);

function applyMutation(value: unknown, m: Mutation): unknown {
  if (m.kind === "none") return value;
  if (m.kind === "whole") return m.value;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return m.kind === "extra" ? m.value : value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (m.kind === "extra") {
    Object.defineProperty(copy, m.key, {
      value: m.value,
      enumerable: true,
      configurable: true,
      writable: true,
    });
  } else if (keys.length > 0) {
    const key = keys[m.index % keys.length]!;
    if (m.kind === "drop") delete copy[key];
    else copy[key] = m.value;
  }
  return copy;
}

/** Values of `schema` broken in at most one place (sometimes left whole, which makes a well-formed request). */
export function mutated(schema: Schema, ids: readonly string[]): fc.Arbitrary<unknown> {
  return fc.tuple(fitting(schema, ids), mutation).map(([v, m]) => applyMutation(v, m));
}
