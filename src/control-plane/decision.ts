import type { DecisionCode, Outcome, SteeringContext, TraceEntry } from "../types/decision.js";
import type { RiskLevel } from "../types/risk.js";
import type { ActionTier } from "../types/tier.js";

/** Fields every {@link Decision} carries. */
interface DecisionBase<O extends Outcome> {
  readonly outcome: O;
  /** The stored proposal. A retry of an approved or pending action returns the same id. */
  readonly proposalId: string;
  readonly code: DecisionCode;
  readonly reason: string;
  readonly riskLevel: RiskLevel;
  readonly tier: ActionTier;
  /** Every step that looked at the proposal, in order, and what it concluded. */
  readonly trace: readonly TraceEntry[];
  readonly warnings: readonly string[];
  /**
   * For an allowed model call: the token reservation to settle with the actual usage
   * (`cp.settleTokens(decision.tokenReservationId, usage)`).
   */
  readonly tokenReservationId?: string;
}

/**
 * The result of `propose()`: a value, never an exception. Execute the action only when `outcome` is
 * `"allowed"`, then call `complete(proposalId, …)`. `pending_approval` carries the `ticketId` to wait on;
 * `steered` carries guidance and alternatives.
 */
export type Decision =
  | DecisionBase<"allowed">
  | DecisionBase<"denied">
  | (DecisionBase<"pending_approval"> & { readonly ticketId: string })
  | (DecisionBase<"steered"> & { readonly steering: SteeringContext });
