import type { JsonObject, JsonValue } from "../../types/json.js";
import { compileFieldPath } from "../conditions/field-path.js";

/** What a redacted value is stored as. */
export const REDACTED = "[redacted]";

/** The free-form proposal fields a redaction may reach into. */
const REDACTABLE_ROOTS: readonly string[] = ["args", "metadata"];

/** The parts of a proposal that are redacted before they are stored. */
export interface RedactableFields {
  readonly args: JsonObject;
  readonly metadata: JsonObject;
}

/** Returns copies of `args` and `metadata` with every listed path replaced by {@link REDACTED}. @internal */
export type Redactor = (fields: RedactableFields) => RedactableFields;

/**
 * Checks one `redact` entry: a condition field path (`args.password`, `metadata.headers.authorization`,
 * `args.items.0.token`) under `args` or `metadata`, naming a sub-field. Returns an error message, if any.
 */
export function checkRedactPath(path: string): string | undefined {
  const getter = compileFieldPath(path);
  if (typeof getter === "string") return getter;
  const segments = path.split(".");
  if (!REDACTABLE_ROOTS.includes(segments[0]!) || segments.length < 2) {
    return `expected a field path under args or metadata (e.g. args.password), got "${path}"`;
  }
  return undefined;
}

/** `value` with the path `keys` replaced by the marker: copies only the containers along the path. */
function without(value: JsonValue | undefined, keys: readonly string[], at: number): JsonValue | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const key = keys[at]!;
  const last = at === keys.length - 1;
  if (Array.isArray(value)) {
    if (!/^\d+$/.test(key)) return undefined;
    const i = Number(key);
    if (i >= value.length) return undefined;
    const next = last ? REDACTED : without(value[i], keys, at + 1);
    if (next === undefined) return undefined;
    const copy = [...value];
    copy[i] = next;
    return copy;
  }
  const record = value as JsonObject;
  if (!Object.hasOwn(record, key)) return undefined;
  const next = last ? REDACTED : without(record[key], keys, at + 1);
  if (next === undefined) return undefined;
  return { ...record, [key]: next };
}

/**
 * Builds the redactor of a policy's `redact` list (validated with {@link checkRedactPath}); `undefined` when the
 * list is empty. Paths that do not exist in a proposal are skipped; the inputs are never modified.
 * @example compileRedactor(["args.password"])!({ args: { password: "x", user: "a" }, metadata: {} })
 *   // { args: { password: "[redacted]", user: "a" }, metadata: {} }
 * @internal
 */
export function compileRedactor(paths: readonly string[] | undefined): Redactor | undefined {
  if (!paths || paths.length === 0) return undefined;
  const split = paths.map((p) => {
    const [root, ...rest] = p.split(".");
    return { root: root as keyof RedactableFields, rest };
  });
  return (fields) => {
    let args = fields.args;
    let metadata = fields.metadata;
    for (const { root, rest } of split) {
      const changed = without(root === "args" ? args : metadata, rest, 0) as JsonObject | undefined;
      if (changed === undefined) continue;
      if (root === "args") args = changed;
      else metadata = changed;
    }
    return args === fields.args && metadata === fields.metadata ? fields : { args, metadata };
  };
}
