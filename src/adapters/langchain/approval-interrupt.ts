import type { JsonObject } from "../../types/json.js";

/** The `type` of every interrupt value {@link governToolCalls} raises. */
export const APPROVAL_INTERRUPT_TYPE = "agent_control_plane.approval" as const;

/**
 * The value of the LangGraph `interrupt()` raised when the control plane asks a human to approve a tool call.
 * It shows up in `result.__interrupt__[i].value`. Decide the ticket in the control plane (`cp.approve` /
 * `cp.deny`, the HTTP API, the dashboard or `acp tickets`), then resume the thread with
 * `new Command({ resume: { ticketId } })`: the tool runs only if the control plane holds the ticket approved.
 */
export interface ApprovalInterrupt {
  readonly type: typeof APPROVAL_INTERRUPT_TYPE;
  /** The control-plane ticket to decide. */
  readonly ticketId: string;
  /** The pending proposal of the call. */
  readonly proposalId: string;
  /** The tool call waiting for the decision. */
  readonly toolCall: { readonly id: string | undefined; readonly name: string; readonly args: JsonObject };
  /** Why the control plane asks for a human (the decision's reason). */
  readonly reason: string;
  /** What waits for whom, for a person reading it. */
  readonly message: string;
}

/** What to resume an approval interrupt with. Informative only: the control plane's ticket decides. */
export interface ApprovalResume {
  readonly ticketId: string;
}

/** A pending approval of a run's result, with the interrupt id to resume it by when several are pending. */
export type PendingApproval = ApprovalInterrupt & {
  /** The LangGraph interrupt id (`Command({ resume: { [interruptId]: ... } })` for several at once). */
  readonly interruptId: string | undefined;
};

/** Whether `value` is an {@link ApprovalInterrupt} raised by {@link governToolCalls}. */
export function isApprovalInterrupt(value: unknown): value is ApprovalInterrupt {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { type?: unknown }).type === APPROVAL_INTERRUPT_TYPE &&
    typeof (value as { ticketId?: unknown }).ticketId === "string"
  );
}

/**
 * The control-plane approvals a paused run waits for: the {@link ApprovalInterrupt}s of `result.__interrupt__`
 * (other interrupts are left out).
 * @example
 * const result = await agent.invoke({ messages }, { configurable: { thread_id } });
 * for (const p of pendingApprovals(result)) console.log(p.ticketId, p.toolCall.name);
 */
export function pendingApprovals(result: unknown): PendingApproval[] {
  const interrupts = (result as { __interrupt__?: unknown } | null | undefined)?.__interrupt__;
  if (!Array.isArray(interrupts)) return [];
  const out: PendingApproval[] = [];
  for (const entry of interrupts as { id?: unknown; value?: unknown }[]) {
    if (!isApprovalInterrupt(entry?.value)) continue;
    out.push({ ...entry.value, interruptId: typeof entry.id === "string" ? entry.id : undefined });
  }
  return out;
}
