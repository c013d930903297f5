/**
 * The fingerprint of an upstream tool definition, so the proxy notices a definition that changes after first
 * sight (a tool "rug pull") and holds the tool until an operator accepts the new one.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../engines/policy/canonical-json.js";

/** The parts of a listed tool that the fingerprint covers (whatever else a listing carries is ignored). */
export interface ToolDefinition {
  readonly name: string;
  readonly title?: unknown;
  readonly description?: unknown;
  readonly inputSchema?: unknown;
  readonly outputSchema?: unknown;
  readonly annotations?: unknown;
}

/**
 * The part of a tool definition that is pinned: name, title, description, input and output schemas and
 * annotations, absent ones omitted. `_meta` and `icons` are left out: they do not change what a call does.
 */
export function pinnedDefinition(tool: ToolDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = { name: tool.name };
  for (const key of ["title", "description", "inputSchema", "outputSchema", "annotations"] as const) {
    if (tool[key] !== undefined) out[key] = tool[key];
  }
  return out;
}

/**
 * SHA-256 (64 hex digits) of the canonical JSON (keys sorted at every level) of {@link pinnedDefinition}: equal
 * definitions give equal fingerprints whatever their key order.
 * @throws ValidationError when the definition is not JSON (a cycle, or absurdly deep or large).
 * @example toolFingerprint({ name: "echo", inputSchema: { type: "object" } }).length // 64
 */
export function toolFingerprint(tool: ToolDefinition): string {
  return definitionFingerprint(pinnedDefinition(tool));
}

/**
 * SHA-256 (64 hex digits) of the canonical JSON of an already pinned definition (what {@link pinnedDefinition}
 * returns): `definitionFingerprint(pinnedDefinition(t)) === toolFingerprint(t)`.
 * @throws ValidationError when the definition is not JSON.
 */
export function definitionFingerprint(definition: unknown): string {
  return createHash("sha256").update(canonicalJson(definition)).digest("hex");
}
