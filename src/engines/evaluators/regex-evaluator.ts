import type { ValidationIssue } from "../../errors/validation-error.js";
import type { JsonObject } from "../../types/json.js";
import { compileFieldPath, type FieldGetter } from "../conditions/field-path.js";
import { checkKnownKeys, checkStringList, fieldText } from "./config-checks.js";
import type { Evaluator } from "./evaluator.js";

interface Prepared {
  readonly patterns: readonly RegExp[];
  readonly field: string;
  readonly get: FieldGetter;
  readonly denyOnMatch: boolean;
}

const cache = new WeakMap<JsonObject, Prepared>();

function prepare(config: JsonObject): Prepared {
  let prepared = cache.get(config);
  if (prepared) return prepared;
  const field = typeof config.field === "string" ? config.field : "resourceId";
  const get = compileFieldPath(field);
  if (typeof get === "string") throw new Error(get);
  const patterns = (config.patterns as readonly string[]).map((p) => new RegExp(p));
  prepared = { patterns, field, get, denyOnMatch: config.denyOnMatch !== false };
  cache.set(config, prepared);
  return prepared;
}

/**
 * Built-in `regex` evaluator (the original's semantics). Config: `patterns` (list of JavaScript regular
 * expressions, searched anywhere in the value), `field` (proposal path, default `resourceId`), `denyOnMatch`
 * (default `true`). A match with `denyOnMatch` denies ("Regex match on F: V"); no match with `denyOnMatch: false`
 * denies ("No regex match on F: V"); otherwise allows.
 * @example { name: "no-prod", type: "regex", config: { patterns: ["^prod-"] } }
 */
export const regexEvaluator = {
  type: "regex",
  description:
    "Denies when a proposal field matches (or, with denyOnMatch: false, does not match) a pattern.",
  validateConfig(config: JsonObject): readonly ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    checkKnownKeys(config, ["patterns", "field", "denyOnMatch"], issues);
    if (config.patterns === undefined)
      issues.push({ path: "patterns", message: "required: expected a list of strings" });
    checkStringList(config, "patterns", issues);
    if (Array.isArray(config.patterns)) {
      config.patterns.forEach((p, i) => {
        if (typeof p !== "string") return;
        try {
          new RegExp(p);
        } catch (error) {
          issues.push({
            path: `patterns[${i}]`,
            message: `invalid regular expression: ${(error as Error).message}`,
          });
        }
      });
    }
    if (config.field !== undefined) {
      if (typeof config.field !== "string") issues.push({ path: "field", message: "expected a string" });
      else {
        const get = compileFieldPath(config.field);
        if (typeof get === "string") issues.push({ path: "field", message: get });
      }
    }
    if (config.denyOnMatch !== undefined && typeof config.denyOnMatch !== "boolean") {
      issues.push({ path: "denyOnMatch", message: "expected a boolean" });
    }
    return issues;
  },
  evaluate(proposal, { config }) {
    const p = prepare(config);
    const value = fieldText(p.get(proposal));
    const matched = p.patterns.some((re) => re.test(value));
    if (matched && p.denyOnMatch) return { allow: false, reason: `Regex match on ${p.field}: ${value}` };
    if (!matched && !p.denyOnMatch) return { allow: false, reason: `No regex match on ${p.field}: ${value}` };
    return { allow: true, reason: "Regex check passed" };
  },
} satisfies Evaluator;
