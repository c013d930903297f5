import type { RunContext } from "@openai/agents";
import type { ToolCallContext, ToolMapping } from "../govern-types.js";

/** The control-plane session and agent of a run, read from the run's context object. */
export interface RunIdentity {
  readonly sessionId?: string | undefined;
  readonly agentId?: string | undefined;
}

/**
 * How a governed `@openai/agents` tool becomes a proposal: {@link ToolMapping} plus where the run's session and
 * agent come from. By default they are read from the context object given to `run(agent, input, { context })`
 * (its `sessionId` and `agentId` string fields), which a serialized `RunState` carries to another process.
 * @example
 * { action: "send_email", resourceId: (a) => a.to, cost: "0.01" } // run(agent, input, { context: { sessionId } })
 */
export interface AgentsToolMapping<A, C = unknown> extends ToolMapping<A> {
  /** Reads the session and agent from the run's context object (default: its `sessionId` / `agentId`). */
  readonly fromRunContext?: (context: C) => RunIdentity;
}

/** The default {@link AgentsToolMapping.fromRunContext}: string `sessionId` / `agentId` fields, if any. */
export function identityFromContext(context: unknown): RunIdentity {
  if (typeof context !== "object" || context === null) return {};
  const record = context as { sessionId?: unknown; agentId?: unknown };
  return {
    sessionId: typeof record.sessionId === "string" ? record.sessionId : undefined,
    agentId: typeof record.agentId === "string" ? record.agentId : undefined,
  };
}

/** Splits an {@link AgentsToolMapping} into governTool's mapping and the run-context reader. */
export function splitMapping<A, C>(
  mapping: AgentsToolMapping<A, C>,
): { readonly mapping: ToolMapping<A>; readonly identity: (context: C) => RunIdentity } {
  const { fromRunContext, ...rest } = mapping;
  return { mapping: rest, identity: fromRunContext ?? identityFromContext };
}

/** The {@link ToolCallContext} of one call of a run. */
export function toolCallContext<C>(
  identity: (context: C) => RunIdentity,
  runContext: RunContext<C> | undefined,
  callId: string | undefined,
  signal?: AbortSignal,
): ToolCallContext {
  const ids = runContext === undefined ? {} : identity(runContext.context);
  return {
    callId,
    sessionId: ids.sessionId,
    agentId: ids.agentId,
    ...(signal === undefined ? {} : { signal }),
  };
}
