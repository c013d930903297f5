import { sqlTokenBudgets } from "../sql-token-budgets.js";
import type { TokenBudgetStore } from "../token-budget-store.js";
import type { SqlConnection } from "./driver.js";
import { runSql } from "./sql-run.js";

/**
 * SQLite implementation of {@link TokenBudgetStore}: the shared SQL (guarded upserts and inserts). Writers are
 * serialised by `BEGIN IMMEDIATE`, so a rolling budget needs no extra lock.
 */
export function sqliteTokenBudgets(conn: SqlConnection): TokenBudgetStore {
  return sqlTokenBudgets(
    async (sql, params) => (await runSql(conn, sql, params)).rows,
    {
      budgets: "acp_token_budgets",
      windows: "acp_token_windows",
      reservations: "acp_token_reservations",
      holds: "acp_token_holds",
      ledger: "acp_token_ledger",
    },
    async () => undefined,
  );
}
