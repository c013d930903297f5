import { reserveBudget } from "../engines/budgets/budget-tracker.js";
import { executionLeaseKey, lockResource, unlockResource } from "../engines/concurrency/resource-lock.js";
import { reserveTokens } from "../engines/token-budgets/reserve-tokens.js";
import { ControlPlaneError } from "../errors/control-plane-error.js";
import type { StorageTx } from "../storage/storage.js";
import type { DecisionCode, TraceEntry } from "../types/decision.js";
import type { ProposalRecord } from "../types/proposal-record.js";
import type { SessionRecord } from "../types/session.js";
import type { Decision } from "./decision.js";
import { budgetReason, decidedEvent, toDecision } from "./decision-records.js";
import type { PipelineContext } from "./propose-pipeline.js";

/**
 * Proceeds with a proposal a human approved: the retry of the identical proposal claims it (no new ticket). The
 * claim is the guarded `approved → executing` transition, so of racing retries exactly one wins; a loser gets
 * `undefined` (having changed nothing) and is decided as a new proposal. The winner then takes the execution
 * lease and the budget; if either fails, the proposal is denied instead.
 */
export async function claimApproved(
  tx: StorageTx,
  ctx: PipelineContext,
  session: SessionRecord,
  approved: ProposalRecord,
): Promise<Decision | undefined> {
  const { now } = ctx;
  const claimed = await tx.proposals.transition(approved.id, ["approved"], {
    status: "executing",
    reservedCost: approved.cost,
    updatedAt: now,
  });
  if (!claimed) return undefined;
  const lockKey = executionLeaseKey(claimed);
  const trace: TraceEntry[] = [
    ...claimed.trace,
    { step: "approval", result: "approved", detail: claimed.ticketId ?? "" },
  ];
  const locked = await lockResource(tx, lockKey, {
    owner: claimed.id,
    sessionId: session.id,
    expiresAt: now + ctx.lockTtlMs,
    now,
  });
  const reserved = locked ? await reserveBudget(tx, session.id, claimed.cost, now) : undefined;
  // The approved model call reserves its tokens now (the same step as in the pipeline).
  const model = ctx.proposal.model;
  const tokens =
    reserved && model !== null && ctx.tokens
      ? await reserveTokens(tx, {
          reservationId: ctx.newId(),
          sessionId: session.id,
          call: model,
          prices: ctx.tokens.prices,
          now,
          ttlMs: ctx.tokens.ttlMs,
        })
      : undefined;
  if (reserved && tokens && !tokens.ok) await tx.sessions.adjustBudget(session.id, -claimed.cost, -1, now);
  if (!reserved || (tokens && !tokens.ok)) {
    const [code, reason]: [DecisionCode, string] =
      tokens && !tokens.ok
        ? [tokens.code, tokens.reason]
        : locked
          ? ["budget_exhausted", budgetReason(session, claimed.cost)]
          : ["resource_locked", `resource ${claimed.resourceId} is locked by another proposal`];
    if (locked) await unlockResource(tx, lockKey, claimed.id);
    // This transaction holds the claimed proposal: the transition cannot miss.
    const denied = await tx.proposals.transition(claimed.id, ["executing"], {
      status: "denied",
      outcome: "denied",
      code,
      reason,
      reservedCost: 0,
      updatedAt: now,
    });
    if (!denied) throw new ControlPlaneError("internal", `proposal ${claimed.id} changed during its claim`);
    await decidedEvent(tx, denied, now);
    return toDecision(denied, [...trace, { step: code, result: "deny", detail: reason }], []);
  }
  await decidedEvent(tx, claimed, now);
  if (tokens?.ok)
    return { ...toDecision(claimed, [...trace, tokens.trace], []), tokenReservationId: tokens.reservationId };
  return toDecision(claimed, trace, []);
}
