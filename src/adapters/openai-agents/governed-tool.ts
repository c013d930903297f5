import { AsyncLocalStorage } from "node:async_hooks";
import {
  type FunctionTool,
  type RunContext,
  type ToolExecuteArgument,
  type ToolInputParameters,
  type ToolOptions,
  tool,
} from "@openai/agents";
import type { ControlPlane } from "../../control-plane/control-plane.js";
import { ValidationError } from "../../errors/validation-error.js";
import { governTool } from "../govern-tool.js";
import type { GovernedResult } from "../govern-types.js";
import { type AgentsToolMapping, splitMapping, toolCallContext } from "./call-context.js";
import { governanceGuardrail } from "./governance-guardrail.js";
import { argsParser, attachGovernance, rememberCall, type ToolGovernance } from "./tool-governance.js";

/** The third argument the framework passes to a tool's `execute` (not exported by `@openai/agents`). */
type ToolCallDetails = Parameters<FunctionTool["invoke"]>[2];

/** One running call: what the framework passed to `execute`, for the governed function. */
interface Invocation {
  readonly run: (signal: AbortSignal) => Promise<unknown>;
}

/** Text for the model when a governed call did not execute (the control plane's own message). */
function notExecuted(result: Exclude<GovernedResult<unknown>, { status: "executed" }>): string {
  return result.message;
}

/**
 * Creates an `@openai/agents` function tool governed by the control plane: the same options as the framework's
 * `tool()` plus a mapping to a proposal. The one-line change from the framework's hello-world is
 * `tool({...})` → `governedTool(cp, {...}, { action: "..." })`.
 *
 * - `needsApproval` is answered by the control plane: the call is proposed (once per call id) and needs a human
 *   exactly when the decision is `pending_approval`; the run then ends with an interruption
 *   (see {@link approvalRequests} and {@link resolveInterruptions}).
 * - An input guardrail (see {@link governanceGuardrail}) runs after the tool's own guardrails, right before
 *   execution, and rejects the call with the control plane's message when it is denied, pending, stopped by a
 *   kill switch or over budget.
 * - `execute` runs inside `governTool`: with a lease heartbeat, completed with its outcome and cost, and with
 *   `details.signal` replaced by a signal that also fires when a kill switch covering the call engages (the
 *   call then ends as `aborted`, and the model is told why).
 *
 * The run's session and agent come from `mapping` or, by default, from the run context object's `sessionId`
 * and `agentId` (`run(agent, input, { context: { sessionId } })`).
 * @example
 * const getWeather = governedTool(cp, {
 *   name: "get_weather",
 *   description: "Get the weather for a city",
 *   parameters: z.object({ city: z.string() }),
 *   execute: async ({ city }) => `The weather in ${city} is sunny.`,
 * }, { action: "get_weather", resourceId: (a) => a.city });
 */
export function governedTool<TParameters extends ToolInputParameters = undefined, Context = unknown>(
  cp: ControlPlane,
  options: ToolOptions<TParameters, Context>,
  mapping: AgentsToolMapping<ToolExecuteArgument<TParameters>, Context>,
): FunctionTool<Context, TParameters, unknown> {
  type Args = ToolExecuteArgument<TParameters>;
  if ((options as { needsApproval?: unknown }).needsApproval !== undefined) {
    throw new ValidationError(
      [{ path: "options.needsApproval", message: "decided by the control plane: remove it" }],
      "governed tool options",
    );
  }
  const split = splitMapping(mapping);
  const invocations = new AsyncLocalStorage<Invocation>();
  const governed = governTool<Args, unknown>(
    cp,
    async (_args, execution) => {
      const invocation = invocations.getStore();
      if (invocation === undefined) throw new Error("governedTool: called outside of the tool's execute");
      return invocation.run(execution.signal);
    },
    split.mapping,
  );
  const call = (
    runContext: RunContext<Context> | undefined,
    callId: string | undefined,
    signal?: AbortSignal,
  ) => toolCallContext(split.identity, runContext, callId, signal);
  const { action, sessionId } = split.mapping;
  const governance: ToolGovernance = {
    cp,
    governed: governed as ToolGovernance["governed"],
    parseArgs: argsParser(options.parameters),
    call: call as ToolGovernance["call"],
    action: (args, callContext) =>
      typeof action === "function" ? action(args as Args, callContext) : action,
    session: async (args, callContext) =>
      typeof sessionId === "function"
        ? sessionId(args as Args, callContext)
        : (sessionId ?? callContext.sessionId),
    tickets: new Map(),
    refusals: new Map(),
  };
  const userExecute = options.execute as (
    input: Args,
    context?: RunContext<Context>,
    details?: ToolCallDetails,
  ) => unknown;
  const execute = async (input: Args, runContext?: RunContext<Context>, details?: ToolCallDetails) => {
    const callId = details?.toolCall?.callId;
    const result = await invocations.run(
      { run: async (signal) => userExecute(input, runContext, { ...details, signal }) },
      () => governed.run(input, call(runContext, callId, details?.signal)),
    );
    return result.status === "executed" ? result.output : notExecuted(result);
  };
  const inputGuardrails = [...(options.inputGuardrails ?? []), governanceGuardrail<Context>(governance)];
  const created = tool({
    ...options,
    execute,
    inputGuardrails,
    needsApproval: async (runContext: RunContext<Context>, input: Args, callId?: string) => {
      const decided = await governed.decide(input, call(runContext, callId));
      if (decided.status === "refused" && callId !== undefined)
        rememberCall(governance.refusals, callId, decided);
      if (decided.status !== "pending_approval") return false;
      if (callId !== undefined) rememberCall(governance.tickets, callId, decided.ticketId);
      return true;
    },
  } as ToolOptions<TParameters, Context>);
  return attachGovernance(created as FunctionTool<Context, TParameters, unknown>, governance);
}
