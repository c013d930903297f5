import { sqlTokenBudgets } from "../sql-token-budgets.js";
import type { TokenBudgetStore } from "../token-budget-store.js";
import type { PgTxContext } from "./context.js";

/** Numbers the `?` placeholders of the shared SQL as `$1, $2, …`. */
function numbered(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** Numbered texts of the statements seen (their texts are built from a few constant schemas: bounded anyway). */
const texts = new Map<string, string>();

/** {@link numbered}, computed once per statement text. */
function text(sql: string): string {
  let found = texts.get(sql);
  if (found === undefined) {
    found = numbered(sql);
    if (texts.size < 512) texts.set(sql, found);
  }
  return found;
}

/**
 * PostgreSQL implementation of {@link TokenBudgetStore} (READ COMMITTED): the shared SQL. A calendar hold's
 * `ON CONFLICT DO UPDATE … WHERE` re-checks the limit on the locked, latest window row; a rolling hold first
 * locks the budget row (`SELECT … FOR UPDATE`), so its guarded insert's sum sees every earlier reserver's commit.
 */
export function pgTokenBudgets(c: PgTxContext): TokenBudgetStore {
  const s = c.t.sessions.slice(0, c.t.sessions.lastIndexOf("."));
  const t = {
    budgets: `${s}.acp_token_budgets`,
    windows: `${s}.acp_token_windows`,
    reservations: `${s}.acp_token_reservations`,
    holds: `${s}.acp_token_holds`,
    ledger: `${s}.acp_token_ledger`,
  };
  return sqlTokenBudgets(
    async (sql, params) => (await c.q.query(text(sql), params as unknown[])).rows,
    t,
    async (configId) => {
      await c.q.query(`SELECT 1 FROM ${t.budgets} WHERE id = $1 FOR UPDATE`, [configId]);
    },
  );
}
