import { ControlPlaneError, NotFoundError } from "../../errors/control-plane-error.js";
import type { StorageTx } from "../../storage/storage.js";
import { formatMicros } from "../../types/money.js";
import type { TokenBudgetConfigRecord } from "../../types/token-budget.js";
import { budgetWindow, rollingBucket } from "./budget-window.js";
import { priceTokens, type ResolvedPriceTable } from "./price-table.js";

/** Actual usage of a settled model call. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Actual cost in micros; when `null` the price table prices it, else the reserved estimate stands. */
  readonly costMicros: number | null;
}

/** What {@link settleTokens} recorded. */
export interface TokenSettlement {
  readonly reservationId: string;
  readonly totalTokens: number;
  readonly costMicros: number;
  /** Budgets whose window reached or passed a limit with this usage. */
  readonly exhausted: readonly string[];
}

/** Whether settled usage went from under `max` to at or over it. */
const crossed = (max: number | null, before: number, after: number) =>
  max !== null && before < max && after >= max;

/**
 * Settles a reservation with the actual usage, at most once (a guarded `held|expired → settled` transition):
 * charges every budget window it held (always, even over the limit: the provider has already charged), writes
 * the ledger row, appends `token_usage_recorded` and, for each window whose settled usage reaches a limit with
 * this charge, `token_budget_exhausted`.
 * @throws NotFoundError for an unknown reservation; ControlPlaneError `conflict` when it was already settled.
 */
export async function settleTokens(
  tx: StorageTx,
  reservationId: string,
  usage: TokenUsage,
  prices: ResolvedPriceTable,
  ledgerId: string,
  now: number,
): Promise<TokenSettlement> {
  const finished = await tx.tokenBudgets.finishReservation(reservationId, ["held", "expired"], "settled");
  if (!finished) {
    const existing = await tx.tokenBudgets.getReservation(reservationId);
    if (!existing) throw new NotFoundError("token reservation", reservationId);
    throw new ControlPlaneError(
      "conflict",
      `token reservation ${reservationId} is already ${existing.status}`,
      {
        details: { reservationId, status: existing.status },
      },
    );
  }
  const r = finished.reservation;
  const total = usage.inputTokens + usage.outputTokens;
  const cost =
    usage.costMicros ?? priceTokens(prices, r.model, usage.inputTokens, usage.outputTokens) ?? r.costMicros;
  const exhausted: string[] = [];
  const events: {
    config: TokenBudgetConfigRecord;
    start: number;
    end: number;
    tokens: number;
    cost: number;
  }[] = [];
  for (const hold of finished.holds) {
    const config = await tx.tokenBudgets.getConfig(hold.configId);
    if (!config) continue;
    const change = await tx.tokenBudgets.charge(hold, total, cost);
    let before = { tokens: change.beforeTokens, cost: change.beforeCostMicros };
    let after = { tokens: change.afterTokens, cost: change.afterCostMicros };
    let start = hold.windowStart;
    let end = hold.windowEnd;
    if (hold.rolling) {
      const w = budgetWindow("rolling", config.rollingMs, now);
      const u = await tx.tokenBudgets.rollingUsage(
        config.id,
        rollingBucket(config.rollingMs ?? 0, now).countSince,
      );
      after = { tokens: u.tokens - u.reservedTokens, cost: u.costMicros - u.reservedCostMicros };
      before = {
        tokens: after.tokens - (change.afterTokens - change.beforeTokens),
        cost: after.cost - (change.afterCostMicros - change.beforeCostMicros),
      };
      start = w.start;
      end = w.end;
    }
    if (
      crossed(config.maxTokens, before.tokens, after.tokens) ||
      crossed(config.maxCostMicros, before.cost, after.cost)
    ) {
      exhausted.push(config.id);
      events.push({ config, start, end, tokens: after.tokens, cost: after.cost });
    }
  }
  const { identity } = r;
  await tx.tokenBudgets.insertLedger({
    id: ledgerId,
    reservationId,
    sessionId: r.sessionId,
    model: r.model,
    identity,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    totalTokens: total,
    costMicros: cost,
    createdAt: now,
  });
  await tx.events.append({
    sessionId: r.sessionId,
    kind: "token_usage_recorded",
    proposalId: reservationId,
    payload: {
      reservationId,
      model: r.model,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      totalTokens: total,
      cost: formatMicros(cost),
      reservedTokens: r.tokens,
      userId: identity.userId,
      orgId: identity.orgId,
      teamId: identity.teamId,
    },
    at: now,
  });
  for (const e of events) {
    await tx.events.append({
      sessionId: r.sessionId,
      kind: "token_budget_exhausted",
      proposalId: reservationId,
      payload: {
        configId: e.config.id,
        period: e.config.period,
        windowStart: new Date(e.start).toISOString(),
        windowEnd: new Date(e.end).toISOString(),
        usedTokens: e.tokens,
        maxTokens: e.config.maxTokens,
        usedCost: formatMicros(e.cost),
        maxCost: e.config.maxCostMicros === null ? null : formatMicros(e.config.maxCostMicros),
      },
      at: now,
    });
  }
  return { reservationId, totalTokens: total, costMicros: cost, exhausted };
}

/**
 * Expires held reservations whose TTL has passed (each at most once, safe in several processes): their holds
 * stop counting, so the room they took is free again. A later settle of an expired reservation still records
 * its usage. Returns how many expired.
 */
export async function expireTokenReservations(tx: StorageTx, now: number, limit: number): Promise<number> {
  const due = await tx.tokenBudgets.listExpired(now, limit);
  let expired = 0;
  for (const id of due) {
    const finished = await tx.tokenBudgets.finishReservation(id, ["held"], "expired");
    if (!finished) continue;
    for (const hold of finished.holds) await tx.tokenBudgets.release(hold);
    expired += 1;
  }
  return expired;
}

/**
 * Gives back a held reservation at once (a decision that reserved tokens and then did not allow the call):
 * its holds stop counting. Does nothing when it is no longer held.
 */
export async function releaseTokenReservation(tx: StorageTx, reservationId: string): Promise<void> {
  const finished = await tx.tokenBudgets.finishReservation(reservationId, ["held"], "expired");
  if (!finished) return;
  for (const hold of finished.holds) await tx.tokenBudgets.release(hold);
}
