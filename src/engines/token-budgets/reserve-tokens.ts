import type { StorageTx } from "../../storage/storage.js";
import type { DecisionCode, TraceEntry } from "../../types/decision.js";
import type { ModelCall } from "../../types/model-call.js";
import { formatMicros } from "../../types/money.js";
import type { TokenBudgetConfigRecord, TokenHoldRecord } from "../../types/token-budget.js";
import { budgetWindow, rollingBucket } from "./budget-window.js";
import { priceTokens, type ResolvedPriceTable } from "./price-table.js";

/** What {@link reserveTokens} needs. */
export interface ReserveTokensInput {
  /** The reservation id (the proposal's id). */
  readonly reservationId: string;
  readonly sessionId: string;
  readonly call: ModelCall;
  readonly prices: ResolvedPriceTable;
  readonly now: number;
  /** How long the reservation is held before recovery expires it (ms). */
  readonly ttlMs: number;
}

/** The result of {@link reserveTokens}: reserved (with a trace line) or refused (with a decision code). */
export type TokenReservation =
  | { readonly ok: true; readonly reservationId: string; readonly trace: TraceEntry }
  | {
      readonly ok: false;
      readonly code: Extract<
        DecisionCode,
        "model_not_allowed" | "token_budget_exceeded" | "model_price_unknown"
      >;
      readonly reason: string;
    };

/** The estimated cost of a call in micros: the caller's, else the price table's; `undefined` when unknown. */
export function estimateCost(call: ModelCall, prices: ResolvedPriceTable): number | undefined {
  return call.costMicros ?? priceTokens(prices, call.model, call.inputTokens, call.outputTokens);
}

function describe(c: TokenBudgetConfigRecord): string {
  return `${c.period} token budget ${c.id}`;
}

/**
 * Reserves a model call's estimate against EVERY token budget that applies to its identity, inside the
 * decision transaction: checks the allowed-model lists first (pure), then takes one guarded hold per budget
 * window (reserve-if-within-limit in the store), so racing callers can never overspend a budget. On a refusal
 * the holds already taken are released and nothing else is written.
 */
export async function reserveTokens(tx: StorageTx, input: ReserveTokensInput): Promise<TokenReservation> {
  const { call, now } = input;
  const configs = await tx.tokenBudgets.matching(call.identity);
  for (const c of configs) {
    if (c.allowedModels !== null && !c.allowedModels.includes(call.model)) {
      return {
        ok: false,
        code: "model_not_allowed",
        reason: `model ${call.model} is not allowed by ${describe(c)}`,
      };
    }
  }
  const tokens = call.inputTokens + call.outputTokens;
  const estimated = estimateCost(call, input.prices);
  const costLimited = configs.find((c) => c.maxCostMicros !== null);
  if (estimated === undefined && costLimited) {
    return {
      ok: false,
      code: "model_price_unknown",
      reason: `model ${call.model} has no price and the call gives no cost, but ${describe(costLimited)} limits cost`,
    };
  }
  const cost = estimated ?? 0;
  const held: TokenHoldRecord[] = [];
  for (const c of configs) {
    const rolling = c.period === "rolling" ? rollingBucket(c.rollingMs ?? 0, now) : undefined;
    const w = rolling ?? budgetWindow(c.period, c.rollingMs, now);
    const hold: TokenHoldRecord = {
      reservationId: input.reservationId,
      configId: c.id,
      rolling: rolling !== undefined,
      windowStart: w.start,
      windowEnd: w.end,
      tokens,
      costMicros: cost,
      state: "held",
      createdAt: now,
    };
    const ok = await tx.tokenBudgets.hold({
      hold,
      maxTokens: c.maxTokens,
      maxCostMicros: c.maxCostMicros,
      rollingSince: rolling ? rolling.countSince : null,
    });
    if (!ok) {
      for (const h of held) await tx.tokenBudgets.release(h);
      const limits = [
        c.maxTokens === null ? null : `${c.maxTokens} tokens`,
        c.maxCostMicros === null ? null : `cost ${formatMicros(c.maxCostMicros)}`,
      ].filter((x) => x !== null);
      return {
        ok: false,
        code: "token_budget_exceeded",
        reason: `${tokens} tokens (cost ${formatMicros(cost)}) would exceed ${describe(c)} (${limits.join(", ")})`,
      };
    }
    held.push(hold);
  }
  await tx.tokenBudgets.insertReservation({
    id: input.reservationId,
    sessionId: input.sessionId,
    model: call.model,
    identity: call.identity,
    tokens,
    costMicros: cost,
    status: "held",
    createdAt: now,
    expiresAt: now + input.ttlMs,
  });
  return {
    ok: true,
    reservationId: input.reservationId,
    trace: {
      step: "token_budget",
      result: "reserved",
      detail: `${tokens} tokens, cost ${formatMicros(cost)}, ${configs.length} budget(s)`,
    },
  };
}
