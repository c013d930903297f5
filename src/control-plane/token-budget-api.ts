import { budgetWindow, formatRollingWindow, rollingBucket } from "../engines/token-budgets/budget-window.js";
import {
  parseBudgetConfig,
  parseTokenIdentity,
  type TokenBudgetInput,
  type TokenIdentityInput,
} from "../engines/token-budgets/parse-budget-config.js";
import { settleTokens as settle, type TokenSettlement } from "../engines/token-budgets/settle-tokens.js";
import { NotFoundError } from "../errors/control-plane-error.js";
import { checkKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";
import { collectMicros, formatMicros } from "../types/money.js";
import type {
  TokenBudgetConfigRecord,
  TokenBudgetPeriod,
  TokenIdentity,
  TokenReservationStatus,
} from "../types/token-budget.js";
import type { Runtime } from "./runtime.js";
import { requireId } from "./session-api.js";

/** A token budget as shown to users: money as decimal strings. */
export interface TokenBudgetView {
  readonly id: string;
  readonly identity: TokenIdentity;
  readonly period: TokenBudgetPeriod;
  /** Length of a rolling window (`"1h"`), `null` for calendar periods. */
  readonly rolling: string | null;
  readonly maxTokens: number | null;
  readonly maxCost: string | null;
  readonly allowedModels: readonly string[] | null;
  readonly createdAt: number;
}

/** The current window of one budget: settled usage, held reservations and what remains. */
export interface TokenBudgetStateView {
  readonly configId: string;
  readonly identity: TokenIdentity;
  readonly period: TokenBudgetPeriod;
  readonly rolling: string | null;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly usedTokens: number;
  readonly usedCost: string;
  readonly reservedTokens: number;
  readonly reservedCost: string;
  /** `max - used - reserved` (never below 0), `null` without a limit. */
  readonly remainingTokens: number | null;
  readonly remainingCost: string | null;
}

/** Ledger totals of an identity over a window. */
export interface TokenUsageSummaryView {
  readonly identity: TokenIdentity;
  readonly period: TokenBudgetPeriod;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly cost: string;
  /** Number of settled calls. */
  readonly calls: number;
  readonly byModel: Readonly<Record<string, number>>;
}

/** Actual usage given to `settleTokens`. */
export interface TokenUsageInput {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Actual cost in currency units; when absent the price table prices it (else the estimate stands). */
  readonly cost?: number | string | undefined;
}

/** The settlement as returned to callers (cost as a decimal string). */
export interface TokenSettlementView {
  readonly reservationId: string;
  readonly totalTokens: number;
  readonly cost: string;
  readonly exhausted: readonly string[];
}

/** The view of a stored budget. */
export function tokenBudgetView(c: TokenBudgetConfigRecord): TokenBudgetView {
  return {
    id: c.id,
    identity: c.identity,
    period: c.period,
    rolling: c.rollingMs === null ? null : formatRollingWindow(c.rollingMs),
    maxTokens: c.maxTokens,
    maxCost: c.maxCostMicros === null ? null : formatMicros(c.maxCostMicros),
    allowedModels: c.allowedModels,
    createdAt: c.createdAt,
  };
}

function identityOf(input: TokenIdentityInput | undefined): TokenIdentity {
  const issues: ValidationIssue[] = [];
  const identity = parseTokenIdentity(input, "identity", issues);
  if (issues.length > 0) throw new ValidationError(issues, "identity");
  return identity;
}

/** Creates a token budget. @throws ValidationError naming each bad field. */
export async function createTokenBudget(rt: Runtime, input: TokenBudgetInput): Promise<TokenBudgetView> {
  rt.assertOpen();
  const now = rt.clock.now();
  const record = parseBudgetConfig(input, rt.ids(), now);
  await rt.storage.transaction((tx) => tx.tokenBudgets.insertConfig(record));
  return tokenBudgetView(record);
}

/** The budgets that apply to `identity` (subset rule), or every budget when it is absent. */
export async function listTokenBudgets(
  rt: Runtime,
  identity?: TokenIdentityInput,
): Promise<readonly TokenBudgetView[]> {
  rt.assertOpen();
  const id = identity === undefined ? undefined : identityOf(identity);
  const configs = await rt.storage.read((tx) =>
    id === undefined ? tx.tokenBudgets.listConfigs({ limit: 10_000 }) : tx.tokenBudgets.matching(id),
  );
  return configs.map(tokenBudgetView);
}

/** The current window of every budget that applies to `identity`. */
export async function tokenBudgetStates(
  rt: Runtime,
  identity?: TokenIdentityInput,
): Promise<readonly TokenBudgetStateView[]> {
  rt.assertOpen();
  const id = identityOf(identity);
  const now = rt.clock.now();
  return rt.storage.read(async (tx) => {
    const out: TokenBudgetStateView[] = [];
    for (const c of await tx.tokenBudgets.matching(id)) {
      const w = budgetWindow(c.period, c.rollingMs, now);
      let used = { tokens: 0, cost: 0 };
      let reserved = { tokens: 0, cost: 0 };
      if (c.period === "rolling") {
        const u = await tx.tokenBudgets.rollingUsage(c.id, rollingBucket(c.rollingMs ?? 0, now).countSince);
        used = { tokens: u.tokens - u.reservedTokens, cost: u.costMicros - u.reservedCostMicros };
        reserved = { tokens: u.reservedTokens, cost: u.reservedCostMicros };
      } else {
        const row = await tx.tokenBudgets.window(c.id, w.start);
        if (row) {
          used = { tokens: row.usedTokens, cost: row.usedCostMicros };
          reserved = { tokens: row.reservedTokens, cost: row.reservedCostMicros };
        }
      }
      const left = (max: number | null, u: number, r: number) =>
        max === null ? null : Math.max(0, max - u - r);
      const remainingCost = left(c.maxCostMicros, used.cost, reserved.cost);
      out.push({
        configId: c.id,
        identity: c.identity,
        period: c.period,
        rolling: c.rollingMs === null ? null : formatRollingWindow(c.rollingMs),
        windowStart: w.start,
        windowEnd: w.end,
        usedTokens: used.tokens,
        usedCost: formatMicros(used.cost),
        reservedTokens: reserved.tokens,
        reservedCost: formatMicros(reserved.cost),
        remainingTokens: left(c.maxTokens, used.tokens, reserved.tokens),
        remainingCost: remainingCost === null ? null : formatMicros(remainingCost),
      });
    }
    return out;
  });
}

/**
 * Ledger totals of the calls billed to exactly `identity` (each field it sets must match) from `windowStart`
 * until now. Returns `undefined` when there is no usage.
 */
export async function tokenUsageSummary(
  rt: Runtime,
  query: { identity?: TokenIdentityInput; period: TokenBudgetPeriod; windowStart: number },
): Promise<TokenUsageSummaryView | undefined> {
  rt.assertOpen();
  const id = identityOf(query.identity);
  if (typeof query.windowStart !== "number" || !Number.isFinite(query.windowStart)) {
    throw new ValidationError([{ path: "windowStart", message: "expected a time in ms since the epoch" }]);
  }
  const now = rt.clock.now();
  const t = await rt.storage.read((tx) => tx.tokenBudgets.summarize(id, query.windowStart, now + 1));
  if (t.calls === 0) return undefined;
  return {
    identity: id,
    period: query.period,
    windowStart: query.windowStart,
    windowEnd: now,
    inputTokens: t.inputTokens,
    outputTokens: t.outputTokens,
    totalTokens: t.totalTokens,
    cost: formatMicros(t.costMicros),
    calls: t.calls,
    byModel: t.byModel,
  };
}

function tokenCount(value: unknown, path: string, issues: ValidationIssue[]): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  issues.push({
    path,
    message: "required: expected a non-negative integer number of tokens",
    received: value,
  });
  return 0;
}

/**
 * Records the actual usage of an allowed model call (`decision.tokenReservationId`), once.
 * @throws ValidationError; NotFoundError; ControlPlaneError `conflict` when already settled.
 */
export async function settleTokens(
  rt: Runtime,
  reservationId: string,
  usage: TokenUsageInput,
): Promise<TokenSettlementView> {
  rt.assertOpen();
  requireId(reservationId, "reservationId");
  const issues: ValidationIssue[] = [];
  if (usage === null || typeof usage !== "object") {
    throw new ValidationError([{ path: "usage", message: "expected { inputTokens, outputTokens, cost? }" }]);
  }
  checkKnownKeys(usage, ["inputTokens", "outputTokens", "cost"], "usage.", issues);
  const inputTokens = tokenCount(usage.inputTokens, "usage.inputTokens", issues);
  const outputTokens = tokenCount(usage.outputTokens, "usage.outputTokens", issues);
  const costMicros = collectMicros(usage.cost, "usage.cost", issues);
  if (issues.length > 0) throw new ValidationError(issues, "token usage");
  const done: TokenSettlement = await rt.storage.transaction((tx) =>
    settle(
      tx,
      reservationId,
      { inputTokens, outputTokens, costMicros },
      rt.modelPrices,
      rt.ids(),
      rt.clock.now(),
    ),
  );
  return {
    reservationId: done.reservationId,
    totalTokens: done.totalTokens,
    cost: formatMicros(done.costMicros),
    exhausted: done.exhausted,
  };
}

/** A token reservation as returned to callers (cost as a decimal string). */
export interface TokenReservationView {
  readonly id: string;
  /** The session of the proposal that reserved it (who may settle it over HTTP). */
  readonly sessionId: string;
  readonly model: string;
  readonly identity: TokenIdentity;
  /** Estimated tokens (input + output) and cost that were reserved. */
  readonly tokens: number;
  readonly cost: string;
  readonly status: TokenReservationStatus;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** The reservation `reservationId`. @throws ValidationError; NotFoundError for an unknown id. */
export async function getTokenReservation(rt: Runtime, reservationId: string): Promise<TokenReservationView> {
  rt.assertOpen();
  requireId(reservationId, "reservationId");
  const r = await rt.storage.read((tx) => tx.tokenBudgets.getReservation(reservationId));
  if (!r) throw new NotFoundError("token reservation", reservationId);
  return {
    id: r.id,
    sessionId: r.sessionId,
    model: r.model,
    identity: r.identity,
    tokens: r.tokens,
    cost: formatMicros(r.costMicros),
    status: r.status,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
  };
}
