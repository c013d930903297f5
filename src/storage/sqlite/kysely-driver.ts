import type { KyselyLike, SqlConnection, SqlResult, SqlRow, SqlValue, SqlValues } from "./driver.js";

type RawQueryFactory = (sql: string, parameters: readonly unknown[]) => unknown;

let rawFactory: Promise<RawQueryFactory> | undefined;

/** Loads `CompiledQuery.raw` from kysely on first use (kysely is an optional peer, never a static import). */
export function loadRawQueryFactory(): Promise<RawQueryFactory> {
  rawFactory ??= import("kysely").then((m) => (sql, parameters) => m.CompiledQuery.raw(sql, [...parameters]));
  return rawFactory;
}

/**
 * Wraps a Kysely instance bound to one connection (inside `connection().execute`) or a Kysely transaction as
 * a {@link SqlConnection}: every statement is sent as raw SQL through `executeQuery`.
 */
export function kyselyConnection(db: KyselyLike, raw: RawQueryFactory): SqlConnection {
  return {
    async values(sql: string, params: readonly SqlValue[] = []): Promise<readonly SqlValues[]> {
      const result = await db.executeQuery(raw(sql, params));
      // Kysely returns keyed rows; their keys follow the select list (the adapter never repeats a name).
      return (result.rows as readonly SqlRow[]).map((row) => Object.values(row));
    },
    async execute(sql: string, params: readonly SqlValue[] = []): Promise<SqlResult> {
      const result = await db.executeQuery(raw(sql, params));
      const rows = result.rows as readonly SqlRow[];
      const changes = result.numAffectedRows === undefined ? rows.length : Number(result.numAffectedRows);
      const lastInsertRowid = result.insertId === undefined ? undefined : Number(result.insertId);
      return { rows, changes, lastInsertRowid };
    },
  };
}

/** `true` if `value` looks like a Kysely instance or transaction (has `executeQuery` and `isTransaction`). */
export function isKyselyLike(value: unknown): value is KyselyLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { executeQuery?: unknown }).executeQuery === "function" &&
    typeof (value as { isTransaction?: unknown }).isTransaction === "boolean"
  );
}
