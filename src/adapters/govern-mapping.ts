import { checkKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";
import type { JsonObject } from "../types/json.js";
import type { ProposalInput } from "../types/proposal.js";
import type { FromArgs, ToolCallContext, ToolMapping } from "./govern-types.js";

/** The keys a `governTool` mapping may have (adapters that take mappings check theirs against it). */
export const MAPPING_KEYS: readonly string[] = [
  "action",
  "sessionId",
  "agentId",
  "resourceId",
  "resourceType",
  "cost",
  "actualCost",
  "args",
  "metadata",
  "approvalWaitMs",
  "heartbeatMs",
  "killPollMs",
  "toolName",
];

/** The metadata key under which a call's id travels in its proposal (so one call is one proposal). */
export const CALL_ID_METADATA_KEY = "tool_call_id";

/** A checked mapping with its defaults. */
export interface ResolvedMapping<A> {
  readonly mapping: ToolMapping<A>;
  readonly approvalWaitMs: number;
  readonly heartbeatMs: number;
  readonly killPollMs: number;
  /** The tool's name in traces and model-facing texts, given the call's arguments. */
  toolName(args: A, call: ToolCallContext): string;
}

function isFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === "function";
}

function duration(
  value: unknown,
  path: string,
  fallback: number,
  min: number,
  issues: ValidationIssue[],
): number {
  if (value === undefined) return fallback;
  if (typeof value === "number" && Number.isFinite(value) && value >= min && value <= 2_147_483_647)
    return value;
  issues.push({ path, message: `expected a number of milliseconds >= ${min}`, received: value as never });
  return fallback;
}

/**
 * Checks a `governTool` mapping once, when the tool is governed: unknown keys (with a "did you mean"), a missing
 * action, bad durations.
 * @throws ValidationError naming each bad path (`mapping.action`, `mapping.approvalWaitMs`, ...).
 */
export function resolveMapping<A>(mapping: ToolMapping<A>): ResolvedMapping<A> {
  const issues: ValidationIssue[] = [];
  if (mapping === null || typeof mapping !== "object") {
    throw new ValidationError(
      [{ path: "mapping", message: "expected a mapping object with an action" }],
      "mapping",
    );
  }
  checkKnownKeys(mapping as unknown as Record<string, unknown>, MAPPING_KEYS, "mapping.", issues);
  const { action } = mapping;
  if (!isFunction(action) && (typeof action !== "string" || action.trim() === "")) {
    issues.push({
      path: "mapping.action",
      message: "required: expected an action name or a function of the arguments",
    });
  }
  if (mapping.actualCost !== undefined && !isFunction(mapping.actualCost))
    issues.push({ path: "mapping.actualCost", message: "expected a function of the tool's output" });
  if (mapping.args !== undefined && !isFunction(mapping.args))
    issues.push({ path: "mapping.args", message: "expected a function of the call's arguments" });
  const approvalWaitMs = duration(mapping.approvalWaitMs, "mapping.approvalWaitMs", 0, 0, issues);
  const heartbeatMs = duration(mapping.heartbeatMs, "mapping.heartbeatMs", 10_000, 10, issues);
  const killPollMs = duration(mapping.killPollMs, "mapping.killPollMs", 200, 10, issues);
  if (issues.length > 0) throw new ValidationError(issues, "governTool mapping");
  return {
    mapping,
    approvalWaitMs,
    heartbeatMs,
    killPollMs,
    toolName: (args, call) => mapping.toolName ?? read(mapping.action, args, call),
  };
}

function read<A, T>(value: FromArgs<A, T>, args: A, call: ToolCallContext): T {
  return isFunction(value) ? (value as (args: A, call: ToolCallContext) => T)(args, call) : value;
}

function isPlainObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The proposal of one call: the mapping read against the call's arguments. Arguments that are not a JSON object are
 * recorded as `{ input }`. The call's id joins the metadata, so the same call always makes the same proposal.
 * @throws ValidationError naming `sessionId` when neither the mapping nor the call gives a session.
 */
export async function proposalOf<A>(
  m: ResolvedMapping<A>,
  args: A,
  call: ToolCallContext,
): Promise<ProposalInput> {
  const { mapping } = m;
  const sessionId = (await read(mapping.sessionId, args, call)) ?? call.sessionId;
  if (typeof sessionId !== "string" || sessionId === "") {
    throw new ValidationError(
      [{ path: "sessionId", message: "no session: give mapping.sessionId or the call's sessionId" }],
      "governed call",
    );
  }
  const recorded = mapping.args ? mapping.args(args) : isPlainObject(args) ? args : { input: args as never };
  const agentId = read(mapping.agentId, args, call) ?? call.agentId;
  const resourceId = read(mapping.resourceId, args, call);
  const resourceType = read(mapping.resourceType, args, call);
  const cost = read(mapping.cost, args, call);
  const metadata =
    call.callId === undefined
      ? mapping.metadata
      : { ...mapping.metadata, [CALL_ID_METADATA_KEY]: call.callId };
  return {
    sessionId,
    action: read(mapping.action, args, call),
    args: recorded,
    ...(agentId === undefined ? {} : { agentId }),
    ...(resourceId === undefined ? {} : { resourceId }),
    ...(resourceType === undefined ? {} : { resourceType }),
    ...(cost === undefined ? {} : { cost }),
    ...(metadata === undefined ? {} : { metadata }),
  };
}
