import type { ValidationIssue } from "../../errors/validation-error.js";
import type { JsonObject } from "../../types/json.js";
import { compileFieldPath, type FieldGetter } from "../conditions/field-path.js";
import { checkKnownKeys, checkStringList, fieldText } from "./config-checks.js";
import type { Evaluator } from "./evaluator.js";

interface Prepared {
  readonly allow: ReadonlySet<string>;
  /** Folded blocklist entry → its first index (named in reasons instead of the value). */
  readonly block: ReadonlyMap<string, number>;
  readonly field: string;
  readonly get: FieldGetter;
}

const cache = new WeakMap<JsonObject, Prepared>();

const fold = (s: string): string => s.trim().toLowerCase();

function prepare(config: JsonObject): Prepared {
  let prepared = cache.get(config);
  if (prepared) return prepared;
  const field = typeof config.field === "string" ? config.field : "action";
  const get = compileFieldPath(field);
  if (typeof get === "string") throw new Error(get);
  const list = (key: string) => ((config[key] as readonly string[] | undefined) ?? []).map(fold);
  const block = new Map<string, number>();
  list("blocklist").forEach((v, i) => {
    if (!block.has(v)) block.set(v, i);
  });
  prepared = { allow: new Set(list("allowlist")), block, field, get };
  cache.set(config, prepared);
  return prepared;
}

/**
 * Built-in `list` evaluator (the original's semantics). Config: `allowlist`, `blocklist` (lists of strings),
 * `field` (proposal path, default `action`). Values are compared trimmed and case-insensitively. The blocklist
 * wins ("Value of F is in the blocklist (blocklist[i])"); a non-empty allowlist denies every value not in it
 * ("Value of F is not in the allowlist"). Reasons never contain the value (it may be a secret).
 * @example { name: "no-shell", type: "list", config: { blocklist: ["shell.exec"] } }
 */
export const listEvaluator = {
  type: "list",
  description:
    "Allow/deny lists on a proposal field (blocklist wins; a non-empty allowlist excludes the rest).",
  validateConfig(config: JsonObject): readonly ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    checkKnownKeys(config, ["allowlist", "blocklist", "field"], issues);
    checkStringList(config, "allowlist", issues);
    checkStringList(config, "blocklist", issues);
    if (config.field !== undefined) {
      if (typeof config.field !== "string") issues.push({ path: "field", message: "expected a string" });
      else {
        const get = compileFieldPath(config.field);
        if (typeof get === "string") issues.push({ path: "field", message: get });
      }
    }
    return issues;
  },
  evaluate(proposal, { config }) {
    const p = prepare(config);
    const value = fold(fieldText(p.get(proposal)));
    const blocked = p.block.get(value);
    if (blocked !== undefined) {
      return { allow: false, reason: `Value of ${p.field} is in the blocklist (blocklist[${blocked}])` };
    }
    if (p.allow.size > 0 && !p.allow.has(value))
      return { allow: false, reason: `Value of ${p.field} is not in the allowlist` };
    return { allow: true, reason: "List check passed" };
  },
} satisfies Evaluator;
