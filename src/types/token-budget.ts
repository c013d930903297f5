/** The calendar windows of a token budget (UTC), plus `rolling` (the last `rollingMs` milliseconds). */
export const TOKEN_BUDGET_PERIODS = ["daily", "weekly", "monthly", "unlimited", "rolling"] as const;
/** One of {@link TOKEN_BUDGET_PERIODS}. */
export type TokenBudgetPeriod = (typeof TOKEN_BUDGET_PERIODS)[number];

/** Who an LLM call is billed to. `null` fields are not set. */
export interface TokenIdentity {
  readonly userId: string | null;
  readonly orgId: string | null;
  readonly teamId: string | null;
}

/**
 * A stored token budget. It applies to a caller when every identity field it sets equals the caller's (an
 * all-`null` budget applies to everyone). Limits are inclusive: using exactly `maxTokens` is allowed.
 */
export interface TokenBudgetConfigRecord {
  readonly id: string;
  readonly identity: TokenIdentity;
  readonly period: TokenBudgetPeriod;
  /** Length of a `rolling` window in ms; `null` for calendar periods. */
  readonly rollingMs: number | null;
  /** Token limit per window (input + output tokens), `null` = none. */
  readonly maxTokens: number | null;
  /** Cost limit per window in micro-units, `null` = none. */
  readonly maxCostMicros: number | null;
  /** Models this budget allows; `null` allows every model, an empty list allows none. */
  readonly allowedModels: readonly string[] | null;
  readonly createdAt: number;
}

/** Usage counters of one calendar window of one budget (`used` = settled, `reserved` = held estimates). */
export interface TokenWindowRecord {
  readonly configId: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly usedTokens: number;
  readonly usedCostMicros: number;
  readonly reservedTokens: number;
  readonly reservedCostMicros: number;
}

/** The states of a reservation: `held` until settled, or expired by recovery. */
export const TOKEN_RESERVATION_STATUSES = ["held", "settled", "expired"] as const;
/** One of {@link TOKEN_RESERVATION_STATUSES}. */
export type TokenReservationStatus = (typeof TOKEN_RESERVATION_STATUSES)[number];

/** A reservation taken by a decision for a model call (its id is the proposal's id). */
export interface TokenReservationRecord {
  readonly id: string;
  readonly sessionId: string;
  readonly model: string;
  readonly identity: TokenIdentity;
  /** Estimated tokens (input + output) and cost in micros that were reserved. */
  readonly tokens: number;
  readonly costMicros: number;
  readonly status: TokenReservationStatus;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** How a hold counts: `held` (the estimate), `settled` (actual usage) or `released` (counts nothing). */
export type TokenHoldState = "held" | "settled" | "released";

/** The part of a reservation charged to one budget window. */
export interface TokenHoldRecord {
  readonly reservationId: string;
  readonly configId: string;
  /** `true` for a rolling budget (the hold itself is the usage record), `false` for a calendar window. */
  readonly rolling: boolean;
  /** Calendar window start (ms); for a rolling budget, the reservation time. */
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly tokens: number;
  readonly costMicros: number;
  readonly state: TokenHoldState;
  readonly createdAt: number;
}

/** One line of the usage ledger: what a model call really used. Written even when it exceeds a budget. */
export interface TokenLedgerEntry {
  readonly id: string;
  readonly reservationId: string | null;
  readonly sessionId: string | null;
  readonly model: string;
  readonly identity: TokenIdentity;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly costMicros: number;
  readonly createdAt: number;
}

/** Aggregated ledger rows of an identity over a time range. */
export interface TokenUsageTotals {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly costMicros: number;
  /** Number of ledger rows (settled calls). */
  readonly calls: number;
  /** Total tokens per model. */
  readonly byModel: Readonly<Record<string, number>>;
}
