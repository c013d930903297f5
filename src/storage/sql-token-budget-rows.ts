import type {
  TokenBudgetConfigRecord,
  TokenBudgetPeriod,
  TokenHoldRecord,
  TokenIdentity,
  TokenReservationRecord,
  TokenReservationStatus,
} from "../types/token-budget.js";

// Columns, casts and row mappers of the token-budget tables, shared by the SQLite and PostgreSQL adapters.

/** A numeric column (drivers return numbers, strings or bigints) as a number. */
export const n = (v: unknown): number => (typeof v === "number" ? v : Number(v));
/** A nullable text column. */
export const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** A parameter cast to BIGINT (PostgreSQL cannot infer untyped parameters in these positions). */
export const BIG = (p = "?") => `CAST(${p} AS BIGINT)`;
/** A parameter cast to TEXT. */
export const TXT = "CAST(? AS TEXT)";

/** Columns of `acp_token_budgets`. */
export const BUDGET_COLUMNS =
  "id, user_id, org_id, team_id, period, rolling_ms, max_tokens, max_cost, allowed_models, created_at";
/** Columns of `acp_token_reservations`. */
export const RESERVATION_COLUMNS =
  "id, session_id, model, user_id, org_id, team_id, tokens, cost, status, created_at, expires_at";
/** Columns of `acp_token_holds`. */
export const HOLD_COLUMNS =
  "reservation_id, config_id, rolling, window_start, window_end, tokens, cost, state, created_at";

const identityOf = (r: Record<string, unknown>): TokenIdentity => ({
  userId: s(r.user_id),
  orgId: s(r.org_id),
  teamId: s(r.team_id),
});

/** A budget row as a record. */
export function toBudget(r: Record<string, unknown>): TokenBudgetConfigRecord {
  return {
    id: String(r.id),
    identity: identityOf(r),
    period: String(r.period) as TokenBudgetPeriod,
    rollingMs: r.rolling_ms === null ? null : n(r.rolling_ms),
    maxTokens: r.max_tokens === null ? null : n(r.max_tokens),
    maxCostMicros: r.max_cost === null ? null : n(r.max_cost),
    allowedModels: r.allowed_models === null ? null : (JSON.parse(String(r.allowed_models)) as string[]),
    createdAt: n(r.created_at),
  };
}

/** A reservation row as a record. */
export function toReservation(r: Record<string, unknown>): TokenReservationRecord {
  return {
    id: String(r.id),
    sessionId: String(r.session_id),
    model: String(r.model),
    identity: identityOf(r),
    tokens: n(r.tokens),
    costMicros: n(r.cost),
    status: String(r.status) as TokenReservationStatus,
    createdAt: n(r.created_at),
    expiresAt: n(r.expires_at),
  };
}

/** A hold row as a record. */
export function toHold(r: Record<string, unknown>): TokenHoldRecord {
  return {
    reservationId: String(r.reservation_id),
    configId: String(r.config_id),
    rolling: n(r.rolling) === 1,
    windowStart: n(r.window_start),
    windowEnd: n(r.window_end),
    tokens: n(r.tokens),
    costMicros: n(r.cost),
    state: String(r.state) as TokenHoldRecord["state"],
    createdAt: n(r.created_at),
  };
}

/** `config field IS NULL OR config field = caller's` for the three identity fields (subset rule). */
export const SUBSET =
  "(user_id IS NULL OR user_id = ?) AND (org_id IS NULL OR org_id = ?) AND (team_id IS NULL OR team_id = ?)";
/** Each field the query sets must equal the row's. */
export const EXACT =
  "(CAST(? AS TEXT) IS NULL OR user_id = ?) AND (CAST(? AS TEXT) IS NULL OR org_id = ?) AND (CAST(? AS TEXT) IS NULL OR team_id = ?)";
