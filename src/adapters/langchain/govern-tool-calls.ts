import { ToolMessage } from "@langchain/core/messages";
import { type Command, interrupt } from "@langchain/langgraph";
import {
  type AgentMiddleware,
  createMiddleware,
  type ToolCallHandler,
  type ToolCallRequest,
} from "langchain";
import type { ControlPlane } from "../../control-plane/control-plane.js";
import type { JsonObject } from "../../types/json.js";
import { governTool } from "../govern-tool.js";
import type {
  FromArgs,
  GovernedResult,
  GovernedTool,
  ToolCallContext,
  ToolMapping,
} from "../govern-types.js";
import { APPROVAL_INTERRUPT_TYPE, type ApprovalInterrupt } from "./approval-interrupt.js";
import {
  type GovernToolCallsOptions,
  type LangChainToolArgs,
  type LangChainToolMapping,
  validateGovernToolCallsOptions,
} from "./middleware-options.js";

/** One call as the governed tool sees it: the arguments plus what is needed to run it through LangChain. */
interface Invocation {
  readonly args: LangChainToolArgs;
  readonly request: ToolCallRequest;
  readonly handler: ToolCallHandler;
}

type ToolOutput = ToolMessage | Command;

/** Lifts a mapping value over tool arguments to one over an {@link Invocation}. */
function lift<T>(value: FromArgs<LangChainToolArgs, T> | undefined): FromArgs<Invocation, T> | undefined {
  if (typeof value !== "function") return value;
  const read = value as (args: LangChainToolArgs, call: ToolCallContext) => T;
  return (inv: Invocation, call: ToolCallContext) => read(inv.args, call);
}

/** The governTool mapping of one tool: defaults, then the tool's own fields, action defaulting to its name. */
function mappingFor(toolName: string, options: GovernToolCallsOptions): ToolMapping<Invocation> {
  const m: LangChainToolMapping = { ...options.defaults, ...options.tools?.[toolName] };
  const { actualCost, args } = m;
  const mapping: { -readonly [K in keyof ToolMapping<Invocation>]: ToolMapping<Invocation>[K] } = {
    action: lift(m.action) ?? toolName,
    toolName: m.toolName ?? toolName,
    // The recorded arguments: the mapping's choice, or the call's own (LangChain parses them to an object).
    args: (inv) => (args ? args(inv.args) : (inv.args as JsonObject)),
  };
  if (m.sessionId !== undefined) mapping.sessionId = lift(m.sessionId);
  if (m.agentId !== undefined) mapping.agentId = lift(m.agentId);
  if (m.resourceId !== undefined) mapping.resourceId = lift(m.resourceId);
  if (m.resourceType !== undefined) mapping.resourceType = lift(m.resourceType);
  if (m.cost !== undefined) mapping.cost = lift(m.cost);
  if (actualCost) mapping.actualCost = (output, inv) => actualCost(output, inv.args);
  if (m.metadata !== undefined) mapping.metadata = m.metadata;
  if (m.approvalWaitMs !== undefined) mapping.approvalWaitMs = m.approvalWaitMs;
  if (m.heartbeatMs !== undefined) mapping.heartbeatMs = m.heartbeatMs;
  if (m.killPollMs !== undefined) mapping.killPollMs = m.killPollMs;
  return mapping;
}

type Invokable = { invoke(input: unknown, config?: { signal?: AbortSignal }): Promise<unknown> };

/** The tool with `signal` merged into the signal of every invocation (so a kill switch aborts it). */
function withSignal(tool: ToolCallRequest["tool"], signal: AbortSignal): ToolCallRequest["tool"] {
  if (tool === undefined) return tool;
  const original = tool as unknown as Invokable;
  const invoke = (input: unknown, config?: { signal?: AbortSignal }) =>
    original.invoke(input, {
      ...config,
      signal: config?.signal ? AbortSignal.any([config.signal, signal]) : signal,
    });
  return Object.create(tool, { invoke: { value: invoke } }) as ToolCallRequest["tool"];
}

/** An error `ToolMessage` telling the model what the control plane decided. */
function errorMessage(
  request: ToolCallRequest,
  result: Exclude<GovernedResult<ToolOutput>, { status: "executed" | "pending_approval" }>,
): ToolMessage {
  const code = result.status === "refused" ? result.code : "aborted";
  return new ToolMessage({
    content: result.message,
    tool_call_id: request.toolCall.id ?? "",
    name: request.toolCall.name,
    status: "error",
    artifact: {
      controlPlane: { status: result.status, code, proposalId: result.decision.proposalId },
    },
  });
}

function approvalInterrupt(
  request: ToolCallRequest,
  result: Extract<GovernedResult<ToolOutput>, { status: "pending_approval" }>,
): ApprovalInterrupt {
  return {
    type: APPROVAL_INTERRUPT_TYPE,
    ticketId: result.ticketId,
    proposalId: result.decision.proposalId,
    toolCall: {
      id: request.toolCall.id,
      name: request.toolCall.name,
      args: request.toolCall.args as JsonObject,
    },
    reason: result.decision.reason,
    message: result.message,
  };
}

/**
 * A `createAgent` middleware governing every tool call through the control plane (`wrapToolCall`). Each call
 * is proposed (the call id is LangChain's `tool_call.id`, so a re-executed call is the same proposal):
 * - allowed: the tool runs once, with an `AbortSignal` that fires when a kill switch covers the call, and the
 *   outcome and cost are completed;
 * - refused (blocked, denied, steered, budget exhausted, killed): the model gets an error `ToolMessage` with
 *   the reason, and the tool does not run;
 * - approval required: the run pauses with a LangGraph `interrupt()` whose value is an
 *   {@link ApprovalInterrupt} carrying the ticket id (needs a checkpointer). After a decision in the control
 *   plane, resume the same thread with `new Command({ resume: { ticketId } })`. Whatever the resume value
 *   says, the call is decided again by the control plane: approved runs the tool, denied or expired reaches
 *   the model as an error, still pending pauses the run again.
 *
 * The tool's own errors propagate as LangChain's own middleware errors do (add `toolErrorMiddleware` to turn
 * them into messages); they are recorded as failed outcomes first.
 * @throws ValidationError naming each bad option path.
 * @example
 * const agent = createAgent({
 *   model,
 *   tools: [sendEmail],
 *   middleware: [governToolCalls(cp, { sessionId: session.id })],
 *   checkpointer: new MemorySaver(),
 * });
 */
export function governToolCalls(cp: ControlPlane, options?: GovernToolCallsOptions): AgentMiddleware {
  const opts = validateGovernToolCallsOptions(options);
  const governed = new Map<string, GovernedTool<Invocation, ToolOutput>>();
  const toolFor = (name: string): GovernedTool<Invocation, ToolOutput> => {
    let tool = governed.get(name);
    if (!tool) {
      tool = governTool<Invocation, ToolOutput>(
        cp,
        (inv, execution) =>
          inv.handler({ ...inv.request, tool: withSignal(inv.request.tool, execution.signal) }),
        mappingFor(name, opts),
      );
      governed.set(name, tool);
    }
    return tool;
  };
  const fromRequest = <T>(value: T | ((request: ToolCallRequest) => T), request: ToolCallRequest) =>
    typeof value === "function" ? (value as (request: ToolCallRequest) => T)(request) : value;

  return createMiddleware({
    name: opts.name ?? "AgentControlPlane",
    wrapToolCall: async (request, handler) => {
      const req: ToolCallRequest = request;
      const tool = toolFor(req.toolCall.name);
      const context: ToolCallContext = {
        callId: req.toolCall.id,
        sessionId: opts.sessionId === undefined ? undefined : await fromRequest(opts.sessionId, req),
        agentId: opts.agentId === undefined ? undefined : fromRequest(opts.agentId, req),
        signal: req.runtime.signal,
      };
      const inv: Invocation = {
        args: (req.toolCall.args ?? {}) as LangChainToolArgs,
        request: req,
        handler,
      };
      // A call paused for approval is re-executed from the start on every resume. Its call id replays the first
      // decision, so the ticket is looked up, never asked again: approved runs the call once, denied or expired
      // refuses it. `interrupt()` either pauses the run or returns the resume value recorded for this pass, which
      // only means "look again": it never approves anything.
      for (;;) {
        const result = await tool.run(inv, context);
        if (result.status === "executed") return result.output;
        if (result.status !== "pending_approval") return errorMessage(req, result);
        interrupt(approvalInterrupt(req, result));
      }
    },
  });
}
