import type { ControlPlane } from "../../control-plane/control-plane.js";
import { pendingMessage, refusalMessage } from "../govern-messages.js";
import type { GovernedResult } from "../govern-types.js";

/** Why a governed call did not run (or stopped): the control plane's answer, as the framework sees it. */
export const REFUSAL_STATUSES = ["refused", "pending_approval", "aborted"] as const;
/** One of {@link REFUSAL_STATUSES}. */
export type RefusalStatus = (typeof REFUSAL_STATUSES)[number];

/**
 * Thrown by a governed AI SDK tool or model call that the control plane did not let run. The AI SDK turns a
 * tool's error into a `tool-error` the model reads, so `message` is written for the model: what happened, why,
 * and whether retrying helps. (A denial is a value inside the control plane; at the framework boundary a
 * thrown error is how a tool reports it.)
 * @example
 * try { await generateText({ model, prompt }) } catch (e) {
 *   if (e instanceof GovernanceRefusal && e.status === "pending_approval") console.log(e.ticketId);
 * }
 */
export class GovernanceRefusal extends Error {
  /** `refused` (denied or steered), `pending_approval` (waits for an operator) or `aborted` (killed mid-run). */
  readonly status: RefusalStatus;
  /** The decision code (`blocked_action`, `budget_exhausted`, `kill_switch`, `approval_required`, ...). */
  readonly code: string;
  /** The control plane's human reason. */
  readonly reason: string;
  /** The ticket an operator decides, when `status` is `pending_approval`. */
  readonly ticketId: string | undefined;
  /** The stored proposal. */
  readonly proposalId: string;

  constructor(input: {
    readonly status: RefusalStatus;
    readonly code: string;
    readonly reason: string;
    readonly message: string;
    readonly proposalId: string;
    readonly ticketId?: string | undefined;
  }) {
    super(input.message.includes(input.reason) ? input.message : `${input.message} (${input.reason})`);
    this.name = "GovernanceRefusal";
    this.status = input.status;
    this.code = input.code;
    this.reason = input.reason;
    this.ticketId = input.ticketId;
    this.proposalId = input.proposalId;
  }
}

/**
 * The output of an executed call, or throws the {@link GovernanceRefusal} a framework shows the model as a tool
 * error (refused, pending approval with its ticket, or aborted mid-run).
 * @example const output = outputOrRefusal(await governed.run(args, { callId }));
 */
export function outputOrRefusal<R>(result: GovernedResult<R>): R {
  switch (result.status) {
    case "executed":
      return result.output;
    case "pending_approval":
      throw new GovernanceRefusal({
        status: "pending_approval",
        code: result.decision.code,
        reason: result.decision.reason,
        message: result.message,
        proposalId: result.decision.proposalId,
        ticketId: result.ticketId,
      });
    case "refused":
      throw new GovernanceRefusal({
        status: "refused",
        code: result.code,
        reason: result.reason,
        message: result.message,
        proposalId: result.decision.proposalId,
      });
    case "aborted":
      throw new GovernanceRefusal({
        status: "aborted",
        code: "aborted",
        reason: result.reason,
        message: result.message,
        proposalId: result.decision.proposalId,
      });
  }
}

/**
 * The refusal of a call whose ticket the control plane does not hold approved (pending, denied or expired): used
 * when a framework resumes a call with an approval the control plane has not given.
 * @throws NotFoundError for an unknown ticket.
 */
export async function unapprovedRefusal(
  cp: ControlPlane,
  ticketId: string,
  toolName: string,
): Promise<GovernanceRefusal> {
  const ticket = await cp.getTicket(ticketId);
  if (ticket.status === "pending")
    return new GovernanceRefusal({
      status: "pending_approval",
      code: "approval_required",
      reason: ticket.request.reason,
      message: pendingMessage(toolName, ticketId, ticket.request.reason),
      proposalId: ticket.proposalId,
      ticketId,
    });
  const code = ticket.status === "denied" ? "approval_denied" : "approval_expired";
  const by = ticket.decidedBy ? ` by ${ticket.decidedBy}` : "";
  const reason = `ticket ${ticketId} was ${ticket.status}${by}${ticket.reason ? `: ${ticket.reason}` : ""}`;
  return new GovernanceRefusal({
    status: "refused",
    code,
    reason,
    message: refusalMessage(toolName, code, reason),
    proposalId: ticket.proposalId,
    ticketId,
  });
}
