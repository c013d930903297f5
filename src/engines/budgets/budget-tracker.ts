import type { StorageTx } from "../../storage/storage.js";
import { formatMicros } from "../../types/money.js";
import type { SessionRecord } from "../../types/session.js";

/** A session's budget as shown to users: money as exact decimal strings, `null` = unlimited. */
export interface BudgetView {
  readonly maxCost: string | null;
  readonly usedCost: string;
  readonly remainingCost: string | null;
  readonly maxActions: number | null;
  readonly usedActions: number;
  readonly remainingActions: number | null;
}

/** Pure pre-check: would `cost` micros and one more action fit in the session's budget right now? */
export function budgetFits(session: SessionRecord, cost: number, actions = 1): boolean {
  if (session.maxCost !== null && session.usedCost + cost > session.maxCost) return false;
  if (session.maxActions !== null && session.usedActions + actions > session.maxActions) return false;
  return true;
}

/**
 * Reserves `cost` micros and one action against the session budget, atomically (never exceeded, whatever
 * the concurrency). Returns the updated session, or `undefined` when the budget cannot cover it.
 */
export function reserveBudget(
  tx: StorageTx,
  sessionId: string,
  cost: number,
  now: number,
): Promise<SessionRecord | undefined> {
  return tx.sessions.reserveBudget(sessionId, cost, 1, now);
}

/**
 * Reconciles a reservation with the actual cost once the action completed. An actual cost above the
 * reservation is recorded as it is (the side effect happened); `overrun` tells whether the session is now
 * over its maximum cost.
 */
export async function settleBudget(
  tx: StorageTx,
  sessionId: string,
  reserved: number,
  actual: number,
  now: number,
): Promise<{ readonly session: SessionRecord | undefined; readonly overrun: boolean }> {
  if (actual === reserved) return { session: undefined, overrun: false };
  const session = await tx.sessions.adjustBudget(sessionId, actual - reserved, 0, now);
  const overrun = session !== undefined && session.maxCost !== null && session.usedCost > session.maxCost;
  return { session, overrun };
}

/** The user-facing view of a session's budget. */
export function budgetView(session: SessionRecord): BudgetView {
  return {
    maxCost: session.maxCost === null ? null : formatMicros(session.maxCost),
    usedCost: formatMicros(session.usedCost),
    remainingCost:
      session.maxCost === null ? null : formatMicros(Math.max(0, session.maxCost - session.usedCost)),
    maxActions: session.maxActions,
    usedActions: session.usedActions,
    remainingActions:
      session.maxActions === null ? null : Math.max(0, session.maxActions - session.usedActions),
  };
}
