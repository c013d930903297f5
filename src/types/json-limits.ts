import type { ValidationIssue } from "../errors/validation-error.js";

/**
 * Limits on caller-supplied JSON (proposal `args` and `metadata`, completion `output`, policy objects). Each
 * value is checked on its own.
 */
export interface JsonLimits {
  /** Deepest nesting of objects and arrays; the value itself is level 1. */
  readonly maxDepth: number;
  /** Largest serialized size: the length of the value's JSON text in characters (escapes not counted). */
  readonly maxSize: number;
}

/** Default {@link JsonLimits}: 64 levels, 1,000,000 characters. */
export const DEFAULT_JSON_LIMITS: JsonLimits = Object.freeze({ maxDepth: 64, maxSize: 1_000_000 });

/** Upper bound accepted for `maxDepth` (deeper recursion could overflow the stack). */
export const MAX_JSON_DEPTH_LIMIT = 1000;

/** Upper bound accepted for `maxSize`: 64 Mi characters. */
export const MAX_JSON_SIZE_LIMIT = 64 * 1024 * 1024;

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** Formats a base path plus segments: `args.items[2]`, `args["a b"]`. */
function formatJsonPath(base: string, segments: readonly (string | number)[]): string {
  let out = base;
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const FAST_NODES = 64;
/** Longest JSON text of a finite number (`-1.2345678901234567e-308`): the fast path's bound for any number. */
const MAX_NUMBER_LENGTH = 24;
/** Nodes the fast path has visited in the current check (synchronous, so one counter serves every call). */
let fastNodes = 0;

/**
 * An upper bound of the serialized size of a small, plain JSON value within `maxDepth` (exact but for numbers,
 * counted at their longest), or -1 when it needs the full check. Allocates nothing.
 */
function fastSize(v: unknown, depth: number, maxDepth: number): number {
  if (++fastNodes > FAST_NODES) return -1;
  if (v === null) return 4;
  switch (typeof v) {
    case "string":
      return v.length + 2;
    case "boolean":
      return v ? 4 : 5;
    case "number":
      return Number.isFinite(v) ? MAX_NUMBER_LENGTH : -1;
    case "object":
      break;
    default:
      return -1;
  }
  if (depth > maxDepth) return -1;
  let size = 2;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const n = fastSize(v[i], depth + 1, maxDepth);
      if (n < 0) return -1;
      size += n + (i > 0 ? 1 : 0);
    }
    return size;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return -1;
  let first = true;
  for (const key in v as Record<string, unknown>) {
    if (!Object.hasOwn(v as object, key)) return -1;
    const n = fastSize((v as Record<string, unknown>)[key], depth + 1, maxDepth);
    if (n < 0) return -1;
    size += n + key.length + (first ? 3 : 4);
    first = false;
  }
  return size;
}

/** A checked container: its size and height, or the depth at which it is being visited (a cycle marker). */
type Seen = { readonly size: number; readonly height: number } | { readonly enteredAt: number };

class Stop {
  constructor(readonly issue: ValidationIssue) {}
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number") return "a non-finite number";
  if (typeof value === "object") {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } })?.constructor?.name;
    return name ? `a ${name}` : "a class instance";
  }
  return `a ${typeof value}`;
}

/**
 * Checks that `value` is plain JSON within `limits`, in time linear in the number of distinct objects: each
 * object or array is visited once, so a shared reference (a DAG) is not walked once per path, and a cycle is
 * found on first sight. Stops at the first problem and returns it with its path (`args.a.b`), or `undefined`.
 * With `structureOnly`, values that are not JSON (functions, class instances, ...) are skipped rather than
 * reported: only cycles, depth and size are checked (for callers whose schema reports types itself).
 * @example checkJsonValue({ a: 1 }, "args") // undefined
 */
export function checkJsonValue(
  value: unknown,
  path: string,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
  structureOnly = false,
): ValidationIssue | undefined {
  // Fast path, no allocation: a small value (at most FAST_NODES containers and leaves) is measured directly.
  // Finishing proves it finite (no cycle) and bounds its serialized size; near the limit the full check decides.
  fastNodes = 0;
  const fast = fastSize(value, 1, limits.maxDepth);
  if (fast >= 0 && fast <= limits.maxSize) return undefined;
  const segments: (string | number)[] = [];
  let seen: Map<object, Seen> | undefined;
  const fail = (message: string): never => {
    throw new Stop({ path: formatJsonPath(path, segments), message });
  };
  const tooLarge = () => fail(`larger than ${limits.maxSize} characters when serialized (maxJsonSize)`);
  // Returns the serialized size of `v` (at nesting level `depth`) and records its height in `seen`.
  const visit = (v: unknown, depth: number): number => {
    if (v === null) return 4;
    switch (typeof v) {
      case "string":
        return v.length + 2;
      case "boolean":
        return v ? 4 : 5;
      case "number":
        if (!Number.isFinite(v)) return structureOnly ? 0 : fail("expected a finite number");
        return String(v).length;
      case "object":
        break;
      default:
        return structureOnly ? 0 : fail(`expected a JSON value, got ${describe(v)}`);
    }
    const obj = v as object;
    const array = Array.isArray(obj);
    if (!array) {
      const proto = Object.getPrototypeOf(obj);
      if (proto !== Object.prototype && proto !== null) {
        return structureOnly ? 0 : fail(`expected a JSON value, got ${describe(obj)}`);
      }
    }
    seen ??= new Map();
    const known = seen.get(obj);
    if (known !== undefined) {
      if ("enteredAt" in known) {
        const back = formatJsonPath(path, segments.slice(0, known.enteredAt - 1));
        fail(`circular reference (back to ${back || "(root)"})`);
      } else {
        if (depth + known.height - 1 > limits.maxDepth)
          fail(`nested deeper than ${limits.maxDepth} levels (maxJsonDepth)`);
        return (known as { size: number }).size;
      }
    }
    if (depth > limits.maxDepth) fail(`nested deeper than ${limits.maxDepth} levels (maxJsonDepth)`);
    seen.set(obj, { enteredAt: depth });
    let size = 2;
    let height = 0;
    const child = (key: string | number, item: unknown) => {
      segments.push(key);
      size += visit(item, depth + 1);
      if (size > limits.maxSize) tooLarge();
      if (item !== null && typeof item === "object") {
        const h = (seen!.get(item) as { height: number } | undefined)?.height ?? 0;
        if (h > height) height = h;
      }
      segments.pop();
    };
    if (array) {
      const list = obj as readonly unknown[];
      for (let i = 0; i < list.length; i++) {
        if (i > 0) size += 1;
        child(i, list[i]);
      }
    } else {
      const record = obj as Record<string, unknown>;
      let first = true;
      for (const key of Object.keys(record)) {
        size += key.length + (first ? 3 : 4);
        first = false;
        child(key, record[key]);
      }
    }
    seen.set(obj, { size, height: height + 1 });
    return size;
  };
  try {
    if (visit(value, 1) > limits.maxSize) tooLarge();
    return undefined;
  } catch (error) {
    if (error instanceof Stop) return error.issue;
    throw error;
  }
}

/**
 * Validates `maxJsonDepth` / `maxJsonSize` style options and returns the resolved limits.
 * Problems are pushed to `issues` with the option's name as path.
 */
export function resolveJsonLimits(
  maxDepth: unknown,
  maxSize: unknown,
  issues: ValidationIssue[],
  names: { readonly depth: string; readonly size: string } = { depth: "maxJsonDepth", size: "maxJsonSize" },
): JsonLimits {
  const int = (value: unknown, path: string, max: number, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
      issues.push({ path, message: `expected an integer from 1 to ${max}`, received: value });
      return fallback;
    }
    return value;
  };
  const depth = int(maxDepth, names.depth, MAX_JSON_DEPTH_LIMIT, DEFAULT_JSON_LIMITS.maxDepth);
  const size = int(maxSize, names.size, MAX_JSON_SIZE_LIMIT, DEFAULT_JSON_LIMITS.maxSize);
  if (depth === DEFAULT_JSON_LIMITS.maxDepth && size === DEFAULT_JSON_LIMITS.maxSize)
    return DEFAULT_JSON_LIMITS;
  return Object.freeze({ maxDepth: depth, maxSize: size });
}
