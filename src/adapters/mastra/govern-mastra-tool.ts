import { randomUUID } from "node:crypto";
import type { ControlPlane } from "../../control-plane/control-plane.js";
import { ValidationError } from "../../errors/validation-error.js";
import { outputOrRefusal, unapprovedRefusal } from "../ai-sdk/governance-refusal.js";
import { governTool } from "../govern-tool.js";
import type { ToolCallContext, ToolMapping } from "../govern-types.js";

/** What Mastra passes a tool's `execute` as its first argument (the parts this adapter reads). */
export interface MastraToolContext<I> {
  /** The validated input of the call. */
  readonly context: I;
  /** Present inside an agent run that can suspend (Mastra storage configured). */
  readonly suspend?: ((payload: never) => Promise<unknown>) | undefined;
  /** What the host passed to `agent.resumeStream(resumeData, { runId, toolCallId })`. */
  readonly resumeData?: unknown;
  /** Mastra's RuntimeContext: `sessionId` and `agentId` set there name the call's session and agent. */
  readonly runtimeContext?: unknown;
}

/** What Mastra passes a tool's `execute` as its second argument (the parts this adapter reads). */
export interface MastraToolOptions {
  readonly toolCallId?: string | undefined;
  readonly abortSignal?: AbortSignal | undefined;
  /** Where an agent run passes `suspend` to a tool's raw `execute` (`createTool` moves it into the context). */
  readonly suspend?: ((payload: never) => Promise<unknown>) | undefined;
  /** Where an agent run passes the resume data to a tool's raw `execute`. */
  readonly resumeData?: unknown;
}

/**
 * Any object shaped like a Mastra tool (`createTool({...})` or a plain object): an id, a description, an
 * optional input schema and `execute(context, options)`. Mastra itself is not imported.
 */
export interface MastraToolLike {
  readonly id: string;
  readonly description: string;
  readonly inputSchema?: unknown;
  // biome-ignore lint/suspicious/noExplicitAny: each Mastra tool types its own context; the adapter reads a subset
  readonly execute?: ((context: any, options?: any) => Promise<unknown>) | undefined;
}

/** The input type of a Mastra tool's calls. */
export type MastraToolInput<T extends MastraToolLike> =
  NonNullable<T["execute"]> extends (context: infer C, ...rest: never[]) => unknown
    ? C extends { context: infer I }
      ? I
      : unknown
    : unknown;

/** A pending approval of a Mastra tool call: its ticket, as also put into the suspend payload. */
export interface MastraApprovalRequested<I> {
  readonly ticketId: string;
  readonly toolCallId: string | undefined;
  readonly input: I;
  readonly message: string;
}

/**
 * How a Mastra tool's calls become proposals: a {@link ToolMapping} plus how an approval is waited for.
 * @example { action: "issue_refund", sessionId: session.id, resourceId: (a) => a.orderId }
 */
export interface MastraToolMapping<I> extends ToolMapping<I> {
  /**
   * `suspend` (default, when the run can suspend): the call suspends with `{ ticketId, message }` and the host
   * resumes it with `agent.resumeStream({ ticketId }, { runId, toolCallId })` once an operator decided.
   * `message`: the model reads a tool error naming the ticket, and a retry of the same call after the approval
   * runs.
   */
  readonly approval?: "suspend" | "message";
  /** Called once per call that waits for an operator. */
  readonly onApprovalRequested?: (request: MastraApprovalRequested<I>) => void | Promise<void>;
}

function runtimeValue(runtimeContext: unknown, key: string): string | undefined {
  const get = (runtimeContext as { get?: unknown } | null | undefined)?.get;
  if (typeof get !== "function") return undefined;
  const value: unknown = get.call(runtimeContext, key);
  return typeof value === "string" ? value : undefined;
}

function resumedTicket(resumeData: unknown): string | undefined {
  if (resumeData === null || typeof resumeData !== "object") return undefined;
  const { ticketId } = resumeData as { ticketId?: unknown };
  return typeof ticketId === "string" ? ticketId : undefined;
}

/**
 * Governs a Mastra tool (duck-typed: any object with `id`, `description`, `inputSchema` and
 * `execute(context, options)`), returning the same kind of tool whose `execute` runs only what the control plane
 * allows, once per tool call id, with an `abortSignal` that also fires when a kill switch covers the call.
 * A refused or killed call throws a {@link GovernanceRefusal} (Mastra shows the model a tool error carrying the
 * reason). An approval-tier call suspends the run (Mastra's own suspend/resume) with its ticket id; on resume it
 * runs only if the control plane holds the ticket approved, whatever the resume data says.
 * @throws ValidationError naming `tool.execute` when the tool has none.
 * @example
 * const agent = new Agent({ name: "support", instructions, model,
 *   tools: { refund: governMastraTool(cp, refundTool, { action: "issue_refund", sessionId: session.id }) } });
 */
export function governMastraTool<T extends MastraToolLike>(
  cp: ControlPlane,
  tool: T,
  mapping: MastraToolMapping<MastraToolInput<T>>,
): T {
  type I = MastraToolInput<T>;
  const original = tool.execute;
  if (typeof original !== "function")
    throw new ValidationError([{ path: "tool.execute", message: "required: a function" }], "Mastra tool");
  const { approval = "suspend", onApprovalRequested, ...toolMapping } = mapping;
  const toolName = toolMapping.toolName ?? tool.id;
  const calls = new Map<string, { context: MastraToolContext<I>; options: MastraToolOptions }>();
  const tickets = new Map<string, string>();
  const governed = governTool<I, unknown>(
    cp,
    (_input, execution) => {
      const call = calls.get(execution.callId ?? "");
      if (!call) throw new Error(`governMastraTool: unknown call ${execution.callId}`);
      return original.call(tool, call.context, { ...call.options, abortSignal: execution.signal });
    },
    { ...toolMapping, toolName },
  );

  const execute = async (
    context: MastraToolContext<I>,
    options: MastraToolOptions = {},
  ): Promise<unknown> => {
    const callId = options.toolCallId ?? randomUUID();
    const call: ToolCallContext = {
      callId,
      signal: options.abortSignal,
      sessionId: runtimeValue(context.runtimeContext, "sessionId"),
      agentId: runtimeValue(context.runtimeContext, "agentId"),
    };
    const resumeData = context.resumeData ?? options.resumeData;
    const suspend = context.suspend ?? options.suspend;
    const resumed = resumeData !== undefined;
    if (resumed) {
      // The resume data is the host's word only: the control plane must hold the ticket approved.
      const ticketId = tickets.get(callId) ?? resumedTicket(resumeData);
      if (ticketId !== undefined && !(await governed.isApproved(ticketId)))
        throw await unapprovedRefusal(cp, ticketId, toolName);
    }
    calls.set(callId, { context, options });
    try {
      const result = await governed.run(context.context, call);
      if (result.status === "pending_approval" && !resumed) {
        if (!tickets.has(callId)) {
          tickets.set(callId, result.ticketId);
          await onApprovalRequested?.({
            ticketId: result.ticketId,
            toolCallId: options.toolCallId,
            input: context.context,
            message: result.message,
          });
        }
        if (approval === "suspend" && typeof suspend === "function") {
          await suspend({ ticketId: result.ticketId, message: result.message } as never);
          return undefined;
        }
      }
      if (result.status !== "pending_approval") tickets.delete(callId);
      return outputOrRefusal(result);
    } finally {
      calls.delete(callId);
    }
  };

  const governedTool = Object.assign(Object.create(Object.getPrototypeOf(tool) as object) as T, tool, {
    execute,
  });
  return governedTool;
}
