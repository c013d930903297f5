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
