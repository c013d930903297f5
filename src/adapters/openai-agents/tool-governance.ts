import type { FunctionTool, RunContext } from "@openai/agents";
import type { ControlPlane } from "../../control-plane/control-plane.js";
import type { GovernedDecision, GovernedTool, ToolCallContext } from "../govern-types.js";

/** What a governed `@openai/agents` tool carries so that guardrails and interruption helpers find its governance. */
export interface ToolGovernance {
  readonly cp: ControlPlane;
  readonly governed: GovernedTool<unknown, unknown>;
  /** Parses the model's raw JSON arguments as the tool's own parser does (a Zod schema's `parse` when given). */
  parseArgs(raw: string): unknown;
  /** The call context of one call: its id and the run's session and agent. */
  call(
    runContext: RunContext<unknown> | undefined,
    callId: string | undefined,
    signal?: AbortSignal,
  ): ToolCallContext;
  /** The action a call maps to (the mapping's `action`), to match a ticket with the call it is for. */
  action(args: unknown, call: ToolCallContext): string;
  /** The session a call maps to (the mapping's `sessionId`, else the run context's). */
  session(args: unknown, call: ToolCallContext): Promise<string | undefined>;
  /** Tickets of calls this process saw become `pending_approval`, by call id. */
  readonly tickets: Map<string, string>;
  /**
   * Refusals `needsApproval` got, by call id, for the guardrail of the same call to relay (a refused call is
   * not remembered by governTool, so deciding it again would record a second proposal).
   */
  readonly refusals: Map<string, Extract<GovernedDecision, { status: "refused" }>>;
}

const GOVERNANCE = Symbol.for("agent-control-plane.openai-agents.governance");

/** Attaches `governance` to `tool` (not enumerable: the framework never serializes it). */
export function attachGovernance<T extends object>(tool: T, governance: ToolGovernance): T {
  Object.defineProperty(tool, GOVERNANCE, { value: governance, enumerable: false });
  return tool;
}

/** The governance of a tool made by `governedTool`, or `undefined` for any other tool. */
export function governanceOf(tool: unknown): ToolGovernance | undefined {
  if (typeof tool !== "object" || tool === null) return undefined;
  return (tool as { [GOVERNANCE]?: ToolGovernance })[GOVERNANCE];
}

/** Whether `tool` is a function tool governed by the control plane (made by `governedTool`). */
export function isGovernedTool(tool: unknown): tool is FunctionTool<never, never, unknown> {
  return governanceOf(tool) !== undefined;
}

/**
 * A parser for the model's raw arguments: JSON, then the Zod schema's `parse` when `parameters` is one, so the
 * proposal of a guardrail or a resumed run sees the same arguments as `needsApproval` and `execute`.
 */
export function argsParser(parameters: unknown): (raw: string) => unknown {
  const schema = parameters as { parse?: unknown } | undefined;
  const zodParse =
    typeof schema === "object" && schema !== null && typeof schema.parse === "function"
      ? (schema.parse as (value: unknown) => unknown).bind(schema)
      : undefined;
  return (raw) => {
    const json: unknown = raw.trim() === "" ? {} : JSON.parse(raw);
    return zodParse ? zodParse(json) : json;
  };
}

/** At most this many call ids are remembered per tool in {@link ToolGovernance}'s maps (oldest forgotten). */
const REMEMBERED_CALLS = 10_000;

/** Sets `key` in a per-call map, forgetting the oldest entries beyond {@link REMEMBERED_CALLS}. */
export function rememberCall<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= REMEMBERED_CALLS) break;
    map.delete(oldest);
  }
}
