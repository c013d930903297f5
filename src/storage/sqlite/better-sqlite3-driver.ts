import type {
  BetterSqliteDatabase,
  BetterSqliteStatement,
  SqlConnection,
  SqlResult,
  SqlValue,
} from "./driver.js";

const NO_ROWS: readonly never[] = Object.freeze([]);

/**
 * Wraps a better-sqlite3 database as a {@link SqlConnection}. Statements are prepared once per SQL string and
 * cached; calls run synchronously and resolve immediately.
 */
export function betterSqliteConnection(db: BetterSqliteDatabase): SqlConnection {
  const cache = new Map<string, BetterSqliteStatement>();
  return {
    execute(sql: string, params: readonly SqlValue[] = NO_ROWS): Promise<SqlResult> {
      try {
        let stmt = cache.get(sql);
        if (!stmt) {
          stmt = db.prepare(sql);
          cache.set(sql, stmt);
        }
        if (stmt.reader) {
          const rows = stmt.all(...params) as SqlResult["rows"];
          return Promise.resolve({ rows, changes: rows.length });
        }
        const info = stmt.run(...params);
        return Promise.resolve({ rows: NO_ROWS, changes: Number(info.changes) });
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

/** `true` if `value` looks like a better-sqlite3 database (has `prepare` and `inTransaction`). */
export function isBetterSqliteDatabase(value: unknown): value is BetterSqliteDatabase {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { prepare?: unknown }).prepare === "function" &&
    typeof (value as { inTransaction?: unknown }).inTransaction === "boolean"
  );
}
