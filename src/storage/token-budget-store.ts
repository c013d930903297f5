import type {
  TokenBudgetConfigRecord,
  TokenHoldRecord,
  TokenIdentity,
  TokenLedgerEntry,
  TokenReservationRecord,
  TokenReservationStatus,
  TokenUsageTotals,
  TokenWindowRecord,
} from "../types/token-budget.js";

/** What {@link TokenBudgetStore.hold} reserves, and the limits it must stay within. */
export interface TokenHoldRequest {
  readonly hold: TokenHoldRecord;
  readonly maxTokens: number | null;
  readonly maxCostMicros: number | null;
  /** For a rolling budget: the bucket rows starting after this instant (ms, exclusive) count. */
  readonly rollingSince: number | null;
}

/** Settled usage of one budget window (or of one rolling hold) before and after a charge. */
export interface TokenWindowChange {
  readonly beforeTokens: number;
  readonly beforeCostMicros: number;
  readonly afterTokens: number;
  readonly afterCostMicros: number;
}

/**
 * Token budgets: configs, per-window counters, reservations with their holds, and the usage ledger.
 * Race-safe primitives, each guarded in one statement (never read-check-write):
 * - {@link TokenBudgetStore.hold} is reserve-if-within-limit per budget window;
 * - {@link TokenBudgetStore.finishReservation} is transition-if-status (settle or expire at most once).
 */
export interface TokenBudgetStore {
  /** Inserts a budget config (a duplicate id rejects with `conflict`). */
  insertConfig(config: TokenBudgetConfigRecord): Promise<void>;
  getConfig(id: string): Promise<TokenBudgetConfigRecord | undefined>;
  /**
   * The configs that apply to `identity` (subset rule: every field a config sets equals the caller's; a field
   * set on the config but `null` for the caller does not match), oldest first (same-instant ties in any order).
   */
  matching(identity: TokenIdentity): Promise<readonly TokenBudgetConfigRecord[]>;
  /** Every config, oldest first. */
  listConfigs(query: {
    readonly limit: number;
    readonly offset?: number;
  }): Promise<readonly TokenBudgetConfigRecord[]>;
  /**
   * Reserve-if-within-limit: records `hold` only if afterwards the window's usage (settled + held) stays within
   * `maxTokens` and `maxCostMicros` (each when set), by one guarded upsert of the `(configId, windowStart)` counter
   * row. Calendar: the guard reads that row. Rolling (`windowStart` is the current bucket): the guard sums the
   * budget's bucket rows starting after `rollingSince`, serialised per budget. Under any concurrency no window
   * exceeds its limits by reservations. Returns whether the hold was recorded.
   */
  hold(request: TokenHoldRequest): Promise<boolean>;
  insertReservation(reservation: TokenReservationRecord): Promise<void>;
  getReservation(id: string): Promise<TokenReservationRecord | undefined>;
  /**
   * Transition-if-status: moves the reservation from a status in `from` to `to` and returns it as updated,
   * with its holds; `undefined` when it does not exist or its status is not in `from` (of racing
   * callers exactly one succeeds).
   */
  finishReservation(
    id: string,
    from: readonly TokenReservationStatus[],
    to: TokenReservationStatus,
  ): Promise<
    { readonly reservation: TokenReservationRecord; readonly holds: readonly TokenHoldRecord[] } | undefined
  >;
  /**
   * Charges actual usage to a hold's window row (a calendar window or a rolling bucket): the hold becomes
   * `settled` with the actual amounts, the row adds them to `used` and, when the hold was `held`, removes its
   * estimate from `reserved`. Unguarded (actual usage is recorded even over the limit). Returns the row's settled
   * usage before and after.
   */
  charge(hold: TokenHoldRecord, tokens: number, costMicros: number): Promise<TokenWindowChange>;
  /** Releases a `held` hold: its estimate stops counting. */
  release(hold: TokenHoldRecord): Promise<void>;
  /** Ids of `held` reservations with `expiresAt <= now`, oldest expiry first. */
  listExpired(now: number, limit: number): Promise<readonly string[]>;
  /** The counter row of a calendar window (or rolling bucket), if any usage was recorded in it. */
  window(configId: string, windowStart: number): Promise<TokenWindowRecord | undefined>;
  /**
   * Usage of a rolling budget: the sums of its bucket rows starting after `since` (exclusive); `tokens` and
   * `costMicros` are settled plus held.
   */
  rollingUsage(
    configId: string,
    since: number,
  ): Promise<{
    readonly tokens: number;
    readonly costMicros: number;
    readonly reservedTokens: number;
    readonly reservedCostMicros: number;
  }>;
  insertLedger(entry: TokenLedgerEntry): Promise<void>;
  /**
   * Sums the ledger rows of exactly `identity` (each set field equal, each `null` field ignored) created in
   * `[since, until)`.
   */
  summarize(identity: TokenIdentity, since: number, until: number): Promise<TokenUsageTotals>;
}
