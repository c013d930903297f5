import type {
  BetterSqliteDatabase,
  BetterSqliteStatement,
  SqlConnection,
  SqlResult,
  SqlValue,
  SqlValues,
} from "./driver.js";

const NO_ROWS: readonly never[] = Object.freeze([]);

/**
 * Wraps a better-sqlite3 database as a {@link SqlConnection}. Statements are prepared once per SQL string and
 * cached; calls run synchronously and resolve immediately.
 */
export function betterSqliteConnection(db: BetterSqliteDatabase): SqlConnection {
  const cache = new Map<string, BetterSqliteStatement>();
  const rawCache = new Map<string, BetterSqliteStatement>();
  return {
    values(sql: string, params: readonly SqlValue[] = NO_ROWS): Promise<readonly SqlValues[]> {
      try {
        let stmt = rawCache.get(sql);
        if (!stmt) {
          const prepared = db.prepare(sql);
          stmt = prepared.raw ? prepared.raw(true) : keyedAsValues(prepared);
          rawCache.set(sql, stmt);
        }
        return Promise.resolve(stmt.all(...params) as SqlValues[]);
      } catch (error) {
        return Promise.reject(error);
      }
    },
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
        return Promise.resolve({
          rows: NO_ROWS,
          changes: Number(info.changes),
          lastInsertRowid: info.lastInsertRowid === undefined ? undefined : Number(info.lastInsertRowid),
        });
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

/** A statement without `raw()` (a structural stand-in): its keyed rows as values, in column order. */
function keyedAsValues(stmt: BetterSqliteStatement): BetterSqliteStatement {
  return {
    reader: stmt.reader,
    all: (...params) => stmt.all(...params).map((row) => Object.values(row as object)),
    run: (...params) => stmt.run(...params),
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
