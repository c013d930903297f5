import type { ModelMessage, Tool, ToolExecutionOptions } from "ai";
import type { ControlPlane } from "../../control-plane/control-plane.js";
import { ValidationError } from "../../errors/validation-error.js";
import { governTool } from "../govern-tool.js";
import type { GovernedDecision, ToolCallContext, ToolMapping } from "../govern-types.js";
import { outputOrRefusal, unapprovedRefusal } from "./governance-refusal.js";

/** An approval the control plane asked for, as the AI SDK surfaces it (a `tool-approval-request`). */
export interface AiApprovalRequested<I> {
  /** The ticket an operator approves or denies (`cp.approve(ticketId, …)`). */
  readonly ticketId: string;
  /** The AI SDK's id of the tool call the approval request is for. */
  readonly toolCallId: string;
  readonly input: I;
  /** The control plane's text: what waits for whom. */
  readonly message: string;
}

/**
 * How an AI SDK tool's calls become proposals: a {@link ToolMapping} (action, session, resource, cost, ...)
 * plus a hook told of each approval the control plane asks for. The session and agent may also come from
 * `experimental_context: { sessionId, agentId }` of `generateText` / `streamText`.
 * @example
 * { action: "issue_refund", sessionId: session.id, resourceId: (a) => a.orderId, onApprovalRequested: (r) => notify(r.ticketId) }
 */
export interface AiToolMapping<I> extends ToolMapping<I> {
  /** Called once per tool call that waits for an operator, with its ticket id. */
  readonly onApprovalRequested?: (request: AiApprovalRequested<I>) => void | Promise<void>;
}

const ticketsByTool = new WeakMap<object, Map<string, string>>();

/**
 * The control-plane ticket of a tool call that asked for approval (its `toolCallId`, as in the AI SDK's
 * `tool-approval-request` part) until the call has run, or `undefined` when this governed tool holds none.
 * @example
 * for (const part of result.content) if (part.type === "tool-approval-request")
 *   console.log(ticketIdOf(tools.refund, part.toolCall.toolCallId));
 */
export function ticketIdOf(governed: Tool, toolCallId: string): string | undefined {
  return ticketsByTool.get(governed)?.get(toolCallId);
}

/** The session and agent a host put into `experimental_context`, when it did. */
function contextOf(experimentalContext: unknown): Pick<ToolCallContext, "sessionId" | "agentId"> {
  if (experimentalContext === null || typeof experimentalContext !== "object") return {};
  const { sessionId, agentId } = experimentalContext as Record<string, unknown>;
  return {
    ...(typeof sessionId === "string" ? { sessionId } : {}),
    ...(typeof agentId === "string" ? { agentId } : {}),
  };
}

/** Whether the history shows an approval request for `toolCallId` (only routes the call to `execute`). */
function approvalWasRequested(messages: readonly ModelMessage[], toolCallId: string): boolean {
  return messages.some(
    (m) =>
      m.role === "assistant" &&
      typeof m.content !== "string" &&
      m.content.some((p) => p.type === "tool-approval-request" && p.toolCallId === toolCallId),
  );
}

/** Runs the tool's own `execute`; a streaming tool's preliminary results are read to the last one. */
async function runOriginal<I, O>(
  execute: (input: I, options: ToolExecutionOptions) => unknown,
  input: I,
  options: ToolExecutionOptions,
): Promise<O> {
  const out = await execute(input, options);
  if (out !== null && typeof out === "object" && Symbol.asyncIterator in out) {
    let last: unknown;
    for await (const value of out as AsyncIterable<unknown>) last = value;
    return last as O;
  }
  return out as O;
}

/**
 * Governs an AI SDK tool: the control plane answers its `needsApproval` (an approval-tier call becomes the
 * AI SDK's own `tool-approval-request`, its ticket told to `onApprovalRequested` and kept for
 * {@link ticketIdOf}), and `execute` runs only what the control plane allows, once per `toolCallId`, with an
 * `abortSignal` that also fires when a kill switch covers the call. A refused, still-pending or killed call
 * throws a {@link GovernanceRefusal}, which the model reads as a tool error carrying the reason.
 *
 * An approval sent back through `tool-approval-response` is not trusted by itself: the call runs only when
 * the control plane holds its ticket approved (a forged approval in the messages gets a tool error).
 * The tool must have `execute` and no `needsApproval` of its own (the policy decides approvals).
 * @throws ValidationError naming `tool.execute` or `tool.needsApproval`.
 * @example
 * const tools = { refund: governAiTool(cp, refundTool, { action: "issue_refund", sessionId: session.id }) };
 * const result = await generateText({ model, tools, prompt: "Refund order 42" });
 */
export function governAiTool<I, O>(
  cp: ControlPlane,
  tool: Tool<I, O>,
  mapping: AiToolMapping<I>,
): Tool<I, O> {
  const execute = tool.execute as ((input: I, options: ToolExecutionOptions) => unknown) | undefined;
  if (typeof execute !== "function")
    throw new ValidationError(
      [{ path: "tool.execute", message: "required: a governed tool must execute on this side" }],
      "AI SDK tool",
    );
  if (tool.needsApproval !== undefined)
    throw new ValidationError(
      [
        {
          path: "tool.needsApproval",
          message: "must be absent: the control plane's policy decides approvals",
        },
      ],
      "AI SDK tool",
    );
  const { onApprovalRequested, ...toolMapping } = mapping;
  const toolName = (input: I, call: ToolCallContext): string => {
    const action = mapping.action;
    return mapping.toolName ?? (typeof action === "function" ? action(input, call) : action);
  };
  const optionsByCall = new Map<string, ToolExecutionOptions>();
  const tickets = new Map<string, string>();
  /** Refusals from `needsApproval`, so that `execute` of the same call reports them without proposing twice. */
  const refusals = new Map<string, GovernedDecision>();
  const governed = governTool<I, O>(
    cp,
    (input, execution) => {
      const options = (execution.callId !== undefined && optionsByCall.get(execution.callId)) || {
        toolCallId: execution.callId ?? execution.proposalId,
        messages: [],
      };
      return runOriginal<I, O>(execute, input, { ...options, abortSignal: execution.signal });
    },
    toolMapping,
  );

  const needsApproval = async (
    input: I,
    options: { toolCallId: string; messages: ModelMessage[]; experimental_context?: unknown },
  ): Promise<boolean> => {
    // A call that asked for approval stays "approval needed" (and is not proposed again), so that the AI SDK
    // hands its approval response to `execute`, where the control plane (not the message) decides.
    if (tickets.has(options.toolCallId)) return true;
    const call = { callId: options.toolCallId, ...contextOf(options.experimental_context) };
    const decided = await governed.decide(input, call);
    if (decided.status === "refused") refusals.set(options.toolCallId, decided);
    if (decided.status === "pending_approval") {
      if (!tickets.has(options.toolCallId)) {
        tickets.set(options.toolCallId, decided.ticketId);
        await onApprovalRequested?.({
          ticketId: decided.ticketId,
          toolCallId: options.toolCallId,
          input,
          message: decided.message,
        });
      }
      return true;
    }
    // After a restart the history still shows the request: route it to `execute` as well.
    return approvalWasRequested(options.messages, options.toolCallId);
  };

  const governedExecute = async (input: I, options: ToolExecutionOptions): Promise<O> => {
    const call = {
      callId: options.toolCallId,
      signal: options.abortSignal,
      ...contextOf(options.experimental_context),
    };
    const refusal = refusals.get(options.toolCallId);
    refusals.delete(options.toolCallId);
    if (refusal !== undefined && refusal.status !== "allowed") return outputOrRefusal(refusal);
    const ticketId = tickets.get(options.toolCallId);
    if (ticketId !== undefined && !(await governed.isApproved(ticketId))) {
      // An approval response in the messages without the control plane's approval: report, never run.
      throw await unapprovedRefusal(cp, ticketId, toolName(input, call));
    }
    optionsByCall.set(options.toolCallId, options);
    try {
      const result = await governed.run(input, call);
      // A call that ran (or was refused for good) needs its ticket no more: the map stays small.
      if (result.status !== "pending_approval") tickets.delete(options.toolCallId);
      return outputOrRefusal(result);
    } finally {
      optionsByCall.delete(options.toolCallId);
    }
  };

  const wrapped = { ...tool, needsApproval, execute: governedExecute } as unknown as Tool<I, O>;
  ticketsByTool.set(wrapped, tickets);
  return wrapped;
}
