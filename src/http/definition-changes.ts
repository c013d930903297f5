/**
 * A diff-friendly view of a changed MCP tool definition: the JSON paths whose values differ between the
 * accepted and the pending definition, each with both values. Pure.
 */

/** One difference between two JSON values at `path` (`$` is the root; `before`/`after` absent = missing). */
export interface DefinitionChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The differences between `before` and `after`, leaf by leaf, in key order (objects by key, arrays by index).
 * @example definitionChanges({ a: 1 }, { a: 2, b: 3 }) // [{ path: "$.a", before: 1, after: 2 }, { path: "$.b", after: 3 }]
 */
export function definitionChanges(before: unknown, after: unknown, path = "$"): DefinitionChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => {
      const at = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
      if (!(k in after)) return [{ path: at, before: before[k] }];
      if (!(k in before)) return [{ path: at, after: after[k] }];
      return definitionChanges(before[k], after[k], at);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: DefinitionChange[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const at = `${path}[${i}]`;
      if (i >= after.length) out.push({ path: at, before: before[i] });
      else if (i >= before.length) out.push({ path: at, after: after[i] });
      else out.push(...definitionChanges(before[i], after[i], at));
    }
    return out;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}
