import type { ValidationIssue } from "../../errors/validation-error.js";
import type { JsonObject } from "../../types/json.js";
import { compileFieldPath, type FieldGetter } from "../conditions/field-path.js";
import {
  compileSafeRegex,
  DEFAULT_MAX_MATCH_LENGTH,
  isMatchLimit,
  type SafeRegex,
} from "../conditions/safe-regex.js";
import { checkKnownKeys, checkStringList, fieldText } from "./config-checks.js";
import type { Evaluator } from "./evaluator.js";

interface Prepared {
  readonly patterns: readonly SafeRegex[];
  readonly field: string;
  readonly get: FieldGetter;
  readonly denyOnMatch: boolean;
  readonly maxInputLength: number;
}

const cache = new WeakMap<JsonObject, Prepared>();

function prepare(config: JsonObject): Prepared {
  let prepared = cache.get(config);
  if (prepared) return prepared;
  const field = typeof config.field === "string" ? config.field : "resourceId";
  const get = compileFieldPath(field);
  if (typeof get === "string") throw new Error(get);
  const patterns = (config.patterns as readonly string[]).map((p) => {
    const re = compileSafeRegex(p);
    if (typeof re === "string") throw new Error(re);
    return re;
  });
  const maxInputLength = isMatchLimit(config.maxInputLength)
    ? config.maxInputLength
    : DEFAULT_MAX_MATCH_LENGTH;
  prepared = { patterns, field, get, denyOnMatch: config.denyOnMatch !== false, maxInputLength };
  cache.set(config, prepared);
  return prepared;
}

/**
 * Built-in `regex` evaluator (the original's semantics, a linear-time engine). Config: `patterns` (list of
 * regular expressions in RE2 syntax, searched anywhere in the value; compiled once, no backtracking), `field`
 * (proposal path, default `resourceId`), `denyOnMatch` (default `true`), `maxInputLength` (default 65536: longer
 * text is denied without being scanned). A match with `denyOnMatch` denies ("Regex match on F: patterns[i]"); no
 * match with `denyOnMatch: false` denies ("No regex match on F"); otherwise allows. Reasons name the field and the
 * pattern, never the matched text (it may be a secret).
 * @example { name: "no-prod", type: "regex", config: { patterns: ["^prod-"] } }
 */
export const regexEvaluator = {
  type: "regex",
  description:
    "Denies when a proposal field matches (or, with denyOnMatch: false, does not match) a pattern.",
  validateConfig(config: JsonObject): readonly ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    checkKnownKeys(config, ["patterns", "field", "denyOnMatch", "maxInputLength"], issues);
    if (config.patterns === undefined)
      issues.push({ path: "patterns", message: "required: expected a list of strings" });
    checkStringList(config, "patterns", issues);
    if (Array.isArray(config.patterns)) {
      config.patterns.forEach((p, i) => {
        if (typeof p !== "string") return;
        const compiled = compileSafeRegex(p);
        if (typeof compiled === "string") issues.push({ path: `patterns[${i}]`, message: compiled });
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
    if (config.maxInputLength !== undefined && !isMatchLimit(config.maxInputLength)) {
      issues.push({ path: "maxInputLength", message: "expected a positive integer" });
    }
    return issues;
  },
  evaluate(proposal, { config }) {
    const p = prepare(config);
    const value = fieldText(p.get(proposal));
    if (value.length > p.maxInputLength) {
      return {
        allow: false,
        reason: `${p.field} is longer than ${p.maxInputLength} characters (maxInputLength); not scanned`,
      };
    }
    const matched = p.patterns.findIndex((re) => re.test(value));
    if (matched >= 0 && p.denyOnMatch) {
      return { allow: false, reason: `Regex match on ${p.field}: patterns[${matched}]` };
    }
    if (matched < 0 && !p.denyOnMatch) return { allow: false, reason: `No regex match on ${p.field}` };
    return { allow: true, reason: "Regex check passed" };
  },
} satisfies Evaluator;
