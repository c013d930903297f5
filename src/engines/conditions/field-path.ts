import type { Proposal } from "../../types/proposal.js";

/** Proposal fields a path may start with. `args.*` and `metadata.*` descend into the JSON objects. */
export const FIELD_ROOTS = [
  "sessionId",
  "agentId",
  "action",
  "resourceId",
  "resourceType",
  "cost",
  "args",
  "metadata",
] as const;

/** Reads one value from a proposal; `undefined` when the path does not exist. */
export type FieldGetter = (proposal: Proposal) => unknown;

const ROOTS: ReadonlySet<string> = new Set(FIELD_ROOTS);

function child(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    if (!/^\d+$/.test(key)) return undefined;
    return value[Number(key)];
  }
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Compiles a dotted field path (`args.amount`, `metadata.env`, `agentId`, `cost`, `args.items.0`) into a getter.
 * `cost` reads the cost in currency units. Returns an error message when the root is not a proposal field.
 * @example (compileFieldPath("args.amount") as FieldGetter)(proposal) // 250
 */
export function compileFieldPath(path: string): FieldGetter | string {
  const segments = path.split(".");
  const root = segments[0] ?? "";
  if (!ROOTS.has(root)) {
    return `unknown field "${root}": a path starts with one of ${FIELD_ROOTS.join(", ")}`;
  }
  if (segments.some((s) => s === "")) return `invalid field path "${path}"`;
  const rest = segments.slice(1);
  if (rest.length > 0 && root !== "args" && root !== "metadata") {
    return `field "${root}" has no sub-fields`;
  }
  const r = root as keyof Proposal;
  if (rest.length === 0) return (p) => p[r];
  if (rest.length === 1) {
    const k = rest[0]!;
    return (p) => child(p[r], k);
  }
  return (p) => {
    let value: unknown = p[r];
    for (const k of rest) {
      value = child(value, k);
      if (value === undefined) return undefined;
    }
    return value;
  };
}
