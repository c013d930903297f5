import { ControlPlaneError } from "../errors/control-plane-error.js";
import type { TokenHoldRecord } from "../types/token-budget.js";
import {
  BIG,
  BUDGET_COLUMNS,
  EXACT,
  HOLD_COLUMNS,
  n,
  RESERVATION_COLUMNS,
  SUBSET,
  TXT,
  toBudget,
  toHold,
  toReservation,
} from "./sql-token-budget-rows.js";
import type { TokenBudgetStore } from "./token-budget-store.js";

/** A parameter of {@link SqlRows}. */
export type TokenSqlValue = string | number | null;

/**
 * Runs one statement written with `?` placeholders (the PostgreSQL adapter numbers them) and resolves with its
 * rows. Driver errors reject as the adapter's storage errors.
 */
export type SqlRows = (
  sql: string,
  params: readonly TokenSqlValue[],
) => Promise<readonly Record<string, unknown>[]>;

/** The token-budget tables, schema-qualified and quoted as the adapter needs. */
export interface TokenBudgetTables {
  readonly budgets: string;
  readonly windows: string;
  readonly reservations: string;
  readonly holds: string;
  readonly ledger: string;
}

/**
 * The SQL implementation of {@link TokenBudgetStore} shared by the SQLite and PostgreSQL adapters. Guards: a
 * hold is one `INSERT … SELECT … WHERE fits ON CONFLICT DO UPDATE … WHERE fits` of the window row (PostgreSQL
 * re-checks the guard on the locked row); for a rolling budget `fits` sums its bucket rows, after `lockBudget`
 * serialised the budget's reservers (SQLite writers are serialised anyway); settle and expiry are
 * `UPDATE … WHERE status IN (…) RETURNING`.
 */
export function sqlTokenBudgets(
  rows: SqlRows,
  t: TokenBudgetTables,
  lockBudget: (configId: string) => Promise<void>,
): TokenBudgetStore {
  const holdsOf = async (id: string) =>
    (
      await rows(`SELECT ${HOLD_COLUMNS} FROM ${t.holds} WHERE reservation_id = ? ORDER BY config_id`, [id])
    ).map(toHold);
  const rollingUsage = async (configId: string, since: number) => {
    const [r] = await rows(
      `SELECT COALESCE(SUM(used_tokens + reserved_tokens), 0) AS tokens,
         COALESCE(SUM(used_cost + reserved_cost), 0) AS cost,
         COALESCE(SUM(reserved_tokens), 0) AS reserved_tokens, COALESCE(SUM(reserved_cost), 0) AS reserved_cost
       FROM ${t.windows} WHERE config_id = ? AND window_start > ${BIG()}`,
      [configId, since],
    );
    return {
      tokens: n(r?.tokens ?? 0),
      costMicros: n(r?.cost ?? 0),
      reservedTokens: n(r?.reserved_tokens ?? 0),
      reservedCostMicros: n(r?.reserved_cost ?? 0),
    };
  };
  // The hot statements' text is built once: a driver's statement cache then finds it without rehashing it.
  const holdCalendarSql = holdStatement(t, false);
  const holdRollingSql = holdStatement(t, true);
  const insertHoldSql = `INSERT INTO ${t.holds} (${HOLD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
  const insertReservationSql = `INSERT INTO ${t.reservations} (${RESERVATION_COLUMNS})
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id`;
  const holdValues = (h: TokenHoldRecord): TokenSqlValue[] => [
    h.reservationId,
    h.configId,
    h.rolling ? 1 : 0,
    h.windowStart,
    h.windowEnd,
    h.tokens,
    h.costMicros,
    h.state,
    h.createdAt,
  ];
  return {
    async insertConfig(c) {
      const inserted = await rows(
        `INSERT INTO ${t.budgets} (${BUDGET_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          c.id,
          c.identity.userId,
          c.identity.orgId,
          c.identity.teamId,
          c.period,
          c.rollingMs,
          c.maxTokens,
          c.maxCostMicros,
          c.allowedModels === null ? null : JSON.stringify(c.allowedModels),
          c.createdAt,
        ],
      );
      if (inserted.length === 0)
        throw new ControlPlaneError("conflict", `token budget ${c.id} already exists`);
    },
    async getConfig(id) {
      const [r] = await rows(`SELECT ${BUDGET_COLUMNS} FROM ${t.budgets} WHERE id = ?`, [id]);
      return r ? toBudget(r) : undefined;
    },
    async matching(i) {
      const found = await rows(
        `SELECT ${BUDGET_COLUMNS} FROM ${t.budgets} WHERE ${SUBSET} ORDER BY created_at, id`,
        [i.userId, i.orgId, i.teamId],
      );
      return found.map(toBudget);
    },
    async listConfigs({ limit, offset = 0 }) {
      const found = await rows(
        `SELECT ${BUDGET_COLUMNS} FROM ${t.budgets} ORDER BY created_at, id LIMIT ? OFFSET ?`,
        [limit, offset],
      );
      return found.map(toBudget);
    },
    async hold({ hold: h, maxTokens, maxCostMicros, rollingSince }) {
      // Calendar: the window row itself. Rolling: the sum of the budget's buckets, read after the budget lock so
      // that the statement's snapshot includes every earlier reserver's commit.
      let params: TokenSqlValue[];
      if (rollingSince === null) {
        params = [
          ...[h.configId, h.windowStart, h.windowEnd, h.tokens, h.costMicros],
          ...[maxTokens, h.tokens, maxTokens, maxCostMicros, h.costMicros, maxCostMicros],
          ...[maxTokens, maxTokens, maxCostMicros, maxCostMicros],
        ];
      } else {
        await lockBudget(h.configId);
        const c = h.configId;
        const since = rollingSince;
        params = [
          ...[c, h.windowStart, h.windowEnd, h.tokens, h.costMicros],
          ...[maxTokens, c, since, h.tokens, maxTokens, maxCostMicros, c, since, h.costMicros, maxCostMicros],
          ...[maxTokens, c, since, maxTokens, maxCostMicros, c, since, maxCostMicros],
        ];
      }
      const updated = await rows(rollingSince === null ? holdCalendarSql : holdRollingSql, params);
      if (updated.length === 0) return false;
      await rows(insertHoldSql, holdValues(h));
      return true;
    },
    async insertReservation(r) {
      const inserted = await rows(insertReservationSql, [
        r.id,
        r.sessionId,
        r.model,
        r.identity.userId,
        r.identity.orgId,
        r.identity.teamId,
        r.tokens,
        r.costMicros,
        r.status,
        r.createdAt,
        r.expiresAt,
      ]);
      if (inserted.length === 0)
        throw new ControlPlaneError("conflict", `reservation ${r.id} already exists`);
    },
    async getReservation(id) {
      const [r] = await rows(`SELECT ${RESERVATION_COLUMNS} FROM ${t.reservations} WHERE id = ?`, [id]);
      return r ? toReservation(r) : undefined;
    },
    async finishReservation(id, from, to) {
      const [r] = await rows(
        `UPDATE ${t.reservations} SET status = ? WHERE id = ? AND status IN (${from.map(() => "?").join(", ")})
         RETURNING ${RESERVATION_COLUMNS}`,
        [to, id, ...from],
      );
      if (!r) return undefined;
      return { reservation: toReservation(r), holds: await holdsOf(id) };
    },
    async charge(h, tokens, costMicros) {
      await rows(
        `UPDATE ${t.holds} SET tokens = ?, cost = ?, state = 'settled' WHERE reservation_id = ? AND config_id = ?`,
        [tokens, costMicros, h.reservationId, h.configId],
      );
      const held = h.state === "held";
      const [w] = await rows(
        `UPDATE ${t.windows} SET used_tokens = used_tokens + ?, used_cost = used_cost + ?,
           reserved_tokens = reserved_tokens - ?, reserved_cost = reserved_cost - ?
         WHERE config_id = ? AND window_start = ? RETURNING used_tokens, used_cost`,
        [tokens, costMicros, held ? h.tokens : 0, held ? h.costMicros : 0, h.configId, h.windowStart],
      );
      const afterTokens = n(w?.used_tokens ?? tokens);
      const afterCost = n(w?.used_cost ?? costMicros);
      return {
        beforeTokens: afterTokens - tokens,
        beforeCostMicros: afterCost - costMicros,
        afterTokens,
        afterCostMicros: afterCost,
      };
    },
    async release(h) {
      const [r] = await rows(
        `UPDATE ${t.holds} SET state = 'released' WHERE reservation_id = ? AND config_id = ? AND state = 'held'
         RETURNING rolling, window_start, tokens, cost`,
        [h.reservationId, h.configId],
      );
      if (!r) return;
      await rows(
        `UPDATE ${t.windows} SET reserved_tokens = reserved_tokens - ?, reserved_cost = reserved_cost - ?
         WHERE config_id = ? AND window_start = ?`,
        [n(r.tokens), n(r.cost), h.configId, n(r.window_start)],
      );
    },
    async listExpired(now, limit) {
      const due = await rows(
        `SELECT id FROM ${t.reservations} WHERE status = 'held' AND expires_at <= ${BIG()} ORDER BY expires_at LIMIT ?`,
        [now, limit],
      );
      return due.map((r) => String(r.id));
    },
    async window(configId, windowStart) {
      const [r] = await rows(
        `SELECT config_id, window_start, window_end, used_tokens, used_cost, reserved_tokens, reserved_cost
         FROM ${t.windows} WHERE config_id = ? AND window_start = ${BIG()}`,
        [configId, windowStart],
      );
      if (!r) return undefined;
      return {
        configId: String(r.config_id),
        windowStart: n(r.window_start),
        windowEnd: n(r.window_end),
        usedTokens: n(r.used_tokens),
        usedCostMicros: n(r.used_cost),
        reservedTokens: n(r.reserved_tokens),
        reservedCostMicros: n(r.reserved_cost),
      };
    },
    rollingUsage,
    async insertLedger(e) {
      await rows(
        `INSERT INTO ${t.ledger} (id, reservation_id, session_id, model, user_id, org_id, team_id, input_tokens,
           output_tokens, total_tokens, cost, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          e.id,
          e.reservationId,
          e.sessionId,
          e.model,
          e.identity.userId,
          e.identity.orgId,
          e.identity.teamId,
          e.inputTokens,
          e.outputTokens,
          e.totalTokens,
          e.costMicros,
          e.createdAt,
        ],
      );
    },
    async summarize(i, since, until) {
      const found = await rows(
        `SELECT model, COUNT(*) AS calls, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
           SUM(total_tokens) AS total_tokens, SUM(cost) AS cost
         FROM ${t.ledger} WHERE ${EXACT} AND created_at >= ${BIG()} AND created_at < ${BIG()}
         GROUP BY model ORDER BY model`,
        [i.userId, i.userId, i.orgId, i.orgId, i.teamId, i.teamId, since, until],
      );
      const byModel: Record<string, number> = {};
      let inputTokens = 0;
      let outputTokens = 0;
      let totalTokens = 0;
      let costMicros = 0;
      let calls = 0;
      for (const r of found) {
        byModel[String(r.model)] = n(r.total_tokens);
        inputTokens += n(r.input_tokens);
        outputTokens += n(r.output_tokens);
        totalTokens += n(r.total_tokens);
        costMicros += n(r.cost);
        calls += n(r.calls);
      }
      return { inputTokens, outputTokens, totalTokens, costMicros, calls, byModel };
    },
  };
}

/**
 * The guarded upsert of a hold's window row. Parameters: config id, window start and end, tokens, cost; the
 * insert guard (max tokens, [config id, since,] tokens, max tokens, max cost, [config id, since,] cost, max
 * cost); the update guard (max tokens, [config id, since,] max tokens, max cost, [config id, since,] max cost).
 * The bracketed pairs are there only for a rolling budget, whose guard sums its bucket rows after `since`.
 */
function holdStatement(t: TokenBudgetTables, rolling: boolean): string {
  const sum = (column: "tokens" | "cost") =>
    `(SELECT COALESCE(SUM(used_${column} + reserved_${column}), 0) FROM ${t.windows}
      WHERE config_id = ? AND window_start > ${BIG()})`;
  const used = (column: "tokens" | "cost", row: string) =>
    rolling ? sum(column) : `${row}.used_${column} + ${row}.reserved_${column}`;
  const fresh = (column: "tokens" | "cost") => (rolling ? `${sum(column)} + ` : "");
  return `INSERT INTO ${t.windows} AS w (config_id, window_start, window_end, used_tokens, used_cost, reserved_tokens,
     reserved_cost)
   SELECT ${TXT}, ${BIG()}, ${BIG()}, 0, 0, ${BIG()}, ${BIG()}
   WHERE (${BIG()} IS NULL OR ${fresh("tokens")}${BIG()} <= ${BIG()})
     AND (${BIG()} IS NULL OR ${fresh("cost")}${BIG()} <= ${BIG()})
   ON CONFLICT (config_id, window_start) DO UPDATE SET
     reserved_tokens = w.reserved_tokens + EXCLUDED.reserved_tokens,
     reserved_cost = w.reserved_cost + EXCLUDED.reserved_cost
   WHERE (${BIG()} IS NULL OR ${used("tokens", "w")} + EXCLUDED.reserved_tokens <= ${BIG()})
     AND (${BIG()} IS NULL OR ${used("cost", "w")} + EXCLUDED.reserved_cost <= ${BIG()})
   RETURNING config_id`;
}
