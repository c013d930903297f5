import type { z } from "zod";
import type { ValidationIssue } from "../../errors/validation-error.js";

/** One segment of a path into a document: an object key or an array index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/**
 * Formats path segments the way error messages show them: `actions.blocked[2]`, `risk.rules[0].when.all[1]`.
 * @example formatPath(["actions", "blocked", 2]) // "actions.blocked[2]"
 */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const key = String(seg);
      if (IDENTIFIER.test(key)) out += out === "" ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "a boolean",
  array: "a list",
  object: "an object",
  record: "an object",
  null: "null",
  literal: "a fixed value",
};

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value === undefined) return "nothing";
  return `a ${typeof value}`;
}

function notJson(value: unknown): string | undefined {
  if (typeof value === "function") return "expected a JSON value, got a function";
  if (typeof value === "number" && !Number.isFinite(value))
    return "expected a JSON value, got a non-finite number";
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return undefined;
  return `expected a JSON value, got a ${proto?.constructor?.name ?? "class instance"}`;
}

/**
 * Zod error customiser producing short messages (`expected a string, got a number`). Pass it as the `error`
 * option of `safeParse`.
 */
export function zodMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `required: expected ${expected}`;
      return `expected ${expected}, got ${describe(issue.input)}`;
    }
    case "invalid_value":
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}, got ${JSON.stringify(issue.input)}`;
    case "too_small":
      if (issue.origin === "array") return `expected at least ${issue.minimum} item(s)`;
      if (issue.origin === "string") return "expected a non-empty string";
      return `expected a number ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "array") return `expected at most ${issue.maximum} item(s)`;
      return `expected a number ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    case "invalid_union":
      return notJson(issue.input) ?? "does not match any allowed form";
    default:
      return undefined;
  }
}

/**
 * Converts zod issues into {@link ValidationIssue}s with formatted paths under `base`. Unknown keys become one
 * issue per key, at the key's own path (`actions.blokced: unknown key`).
 */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  base: readonly PathSegment[],
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: "unknown key" });
    } else {
      out.push({ path: formatPath(path), message: issue.message });
    }
  }
  return out;
}
