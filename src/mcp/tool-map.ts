/**
 * The proxy's tool map: which governance mapping a call to an exposed tool gets (first matching glob wins,
 * else the default, else none: denied), and the cost and resource of one call read from its arguments.
 */
import { compileGlobs } from "../engines/conditions/glob.js";
import { ValidationError } from "../errors/validation-error.js";
import { toMicros } from "../types/money.js";
import type { McpConfig, ToolMapping, ValueSource } from "./types.js";

/**
 * Actions seeded from an upstream tool's annotations when the config gives none (`action` omitted):
 * `readOnlyHint: true` ⇒ `mcp.read`; otherwise `destructiveHint: false` ⇒ `mcp.write`; otherwise (no hints,
 * `destructiveHint: true`, or anything that is not a boolean) ⇒ `mcp.destructive`, as the MCP spec's defaults say.
 * Hints only ever choose among these three, and only where the config is silent; a configured action always wins.
 */
export const HINT_ACTIONS = Object.freeze({
  readOnly: "mcp.read",
  write: "mcp.write",
  destructive: "mcp.destructive",
} as const);

/** The annotations of an upstream tool as listed (only the two hints are read, and only boolean values). */
export interface ToolHints {
  readonly readOnlyHint?: unknown;
  readonly destructiveHint?: unknown;
}

/** The action the annotations seed (see {@link HINT_ACTIONS}). */
export function actionFromHints(annotations: ToolHints | undefined): string {
  if (annotations?.readOnlyHint === true) return HINT_ACTIONS.readOnly;
  if (annotations?.destructiveHint === false) return HINT_ACTIONS.write;
  return HINT_ACTIONS.destructive;
}

/**
 * Settles a mapping for a listed tool: when the config left the action to the hints, the annotations choose it;
 * otherwise the mapping is returned unchanged (annotations never override the config).
 */
export function resolveToolMapping(mapping: ToolMapping, annotations: ToolHints | undefined): ToolMapping {
  if (mapping.actionFromHints !== true) return mapping;
  const { actionFromHints: _seeded, ...rest } = mapping;
  return { ...rest, action: actionFromHints(annotations) };
}

/** A compiled tool map: the mapping of an exposed tool name. */
export interface ToolMap {
  /**
   * The mapping of `exposedName` (first matching pattern, else the default), settled with the tool's annotations;
   * `undefined` when nothing matches and there is no default: every call is denied (fail closed).
   */
  mappingFor(exposedName: string, annotations?: ToolHints): ToolMapping | undefined;
}

/**
 * Compiles the config's tool map. Patterns are globs over the EXPOSED name (`*` any run, `?` one character,
 * case-insensitive, as everywhere in the control plane), tried in config order.
 * @example compileToolMap(config).mappingFor("fs__write_file")?.action // "fs.write"
 */
export function compileToolMap(config: Pick<McpConfig, "tools" | "defaultMapping">): ToolMap {
  const entries = config.tools.map((t) => ({ match: compileGlobs([t.pattern]), mapping: t.mapping }));
  const fallback = config.defaultMapping;
  return {
    mappingFor(exposedName, annotations) {
      let found: ToolMapping | undefined = fallback;
      for (const e of entries) {
        if (e.match(exposedName)) {
          found = e.mapping;
          break;
        }
      }
      return found === undefined ? undefined : resolveToolMapping(found, annotations);
    },
  };
}

/** A value read for one call, or why it could not be (a reason to deny the call). */
export type CallValue<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads a dotted path (`amount`, `order.total`, `items.0.price`) in a call's arguments, own properties only.
 * The path is relative to the arguments object (the config's `args.` prefix is already removed).
 */
export function readArgumentPath(args: unknown, path: string): CallValue<unknown> {
  let node: unknown = args;
  const segments = path.split(".");
  for (let i = 0; i < segments.length; i++) {
    const key = segments[i]!;
    const at = `args.${segments.slice(0, i + 1).join(".")}`;
    if (Array.isArray(node)) {
      const index = /^(0|[1-9]\d*)$/.test(key) ? Number(key) : -1;
      if (index < 0 || index >= node.length) return { ok: false, reason: `argument ${at} is missing` };
      node = node[index];
    } else if (node !== null && typeof node === "object" && Object.hasOwn(node, key)) {
      node = (node as Record<string, unknown>)[key];
    } else {
      return { ok: false, reason: `argument ${at} is missing` };
    }
  }
  if (node === undefined || node === null) return { ok: false, reason: `argument args.${path} is missing` };
  return { ok: true, value: node };
}

/**
 * The cost of one call: the fixed cost, or the argument at the configured path, which must be a non-negative
 * decimal number or decimal string (at most 6 fraction digits). A missing, non-numeric or negative argument is a
 * denial reason, never a cost of 0. No cost configured: 0.
 * @example callCost({ action: "pay", cost: { argument: "amount" }, hide: false, userMayApprove: false }, { amount: "2.5" })
 */
export function callCost(mapping: ToolMapping, args: unknown): CallValue<number | string> {
  const source = mapping.cost;
  if (source === undefined) return { ok: true, value: 0 };
  const raw = sourceValue(source, args);
  if (!raw.ok) return raw;
  const where = "argument" in source ? `argument args.${source.argument}` : "configured cost";
  if (typeof raw.value !== "number" && typeof raw.value !== "string") {
    return { ok: false, reason: `${where} is not a number (got ${typeName(raw.value)})` };
  }
  try {
    toMicros(raw.value, where);
  } catch (error) {
    const issue = error instanceof ValidationError ? error.issues[0]?.message : String(error);
    return { ok: false, reason: `${where}: ${issue ?? "invalid amount"}` };
  }
  return { ok: true, value: typeof raw.value === "string" ? raw.value.trim() : raw.value };
}

/**
 * The resource id of one call: the fixed one, or the argument at the configured path (a non-empty string, or a
 * finite number written as text). No resource configured: the exposed tool name, for messages (the gateway then
 * proposes no resource at all, so that parallel calls of the tool are not serialised by a resource lock).
 */
export function callResource(mapping: ToolMapping, args: unknown, exposedName: string): CallValue<string> {
  const source = mapping.resource;
  if (source === undefined) return { ok: true, value: exposedName };
  const raw = sourceValue(source, args);
  if (!raw.ok) return raw;
  const where = "argument" in source ? `argument args.${source.argument}` : "configured resource";
  if (typeof raw.value === "number" && Number.isFinite(raw.value))
    return { ok: true, value: String(raw.value) };
  if (typeof raw.value !== "string") {
    return { ok: false, reason: `${where} is not a string (got ${typeName(raw.value)})` };
  }
  if (raw.value === "") return { ok: false, reason: `${where} is empty` };
  return { ok: true, value: raw.value };
}

function sourceValue(source: ValueSource, args: unknown): CallValue<unknown> {
  return "argument" in source ? readArgumentPath(args, source.argument) : { ok: true, value: source.value };
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
