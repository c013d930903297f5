import type { ValidationIssue } from "../../errors/validation-error.js";
import type { JsonObject } from "../../types/json.js";

/** Reports keys of `config` that are not in `allowed` (evaluator configs are strict too). */
export function checkKnownKeys(
  config: JsonObject,
  allowed: readonly string[],
  issues: ValidationIssue[],
): void {
  for (const key of Object.keys(config)) {
    if (!allowed.includes(key)) issues.push({ path: key, message: "unknown key" });
  }
}

/** Reports when `config[key]` is present and not a list of strings. */
export function checkStringList(config: JsonObject, key: string, issues: ValidationIssue[]): void {
  const value = config[key];
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    issues.push({ path: key, message: "expected a list of strings" });
    return;
  }
  value.forEach((item, i) => {
    if (typeof item !== "string") issues.push({ path: `${key}[${i}]`, message: "expected a string" });
  });
}

/** Turns a field value into the text evaluators compare (`""` when absent; JSON for objects). */
export function fieldText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
