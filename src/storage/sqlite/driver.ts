/** A value bound to a SQL parameter. Booleans are stored as 0/1, JSON as TEXT. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** A result row, keyed by column name. */
export type SqlRow = Readonly<Record<string, unknown>>;

/** What a statement produced: its rows (for queries and `RETURNING`) and the number of rows it changed. */
export interface SqlResult {
  readonly rows: readonly SqlRow[];
  readonly changes: number;
  /** Rowid of the last row inserted by an `INSERT` without `RETURNING` (when the driver reports it). */
  readonly lastInsertRowid?: number;
}

/**
 * The tiny connection port the SQLite adapter is written against: one statement at a time, positional `?`
 * parameters. Implemented over better-sqlite3 (synchronous, cached prepared statements) and over Kysely
 * (raw compiled queries on one reserved connection). Errors are the driver's own, unwrapped.
 */
export interface SqlConnection {
  /** Runs one statement with positional parameters. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<SqlResult>;
  /**
   * Runs a query (or a statement with `RETURNING`) and returns each row as an array of its column values in
   * select-list order: cheaper than keyed rows on the hot path.
   */
  values(sql: string, params?: readonly SqlValue[]): Promise<readonly SqlValues[]>;
}

/** A result row as its column values, in select-list order. */
export type SqlValues = readonly unknown[];

/** A prepared better-sqlite3 statement: the subset of its API that the adapter calls. */
export interface BetterSqliteStatement {
  /** `true` if the statement returns rows (a query or `RETURNING`). */
  readonly reader: boolean;
  all(...params: readonly unknown[]): unknown[];
  /** Switches the statement to returning rows as arrays of values (better-sqlite3's `raw(true)`). */
  raw?(toggle?: boolean): BetterSqliteStatement;
  run(...params: readonly unknown[]): {
    readonly changes: number | bigint;
    readonly lastInsertRowid?: number | bigint;
  };
}

/**
 * A better-sqlite3 `Database`, typed structurally as the subset the adapter calls (so that the package does
 * not depend on better-sqlite3's types at runtime).
 */
export interface BetterSqliteDatabase {
  prepare(sql: string): BetterSqliteStatement;
  /** `true` while a transaction is open on the connection. */
  readonly inTransaction: boolean;
  /** `false` once the database is closed. */
  readonly open: boolean;
  close(): unknown;
}

/** A compiled query as Kysely builds it with `CompiledQuery.raw(sql, parameters)`. */
export interface KyselyCompiledQuery {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** What Kysely's `executeQuery` resolves with (the subset the adapter reads). */
export interface KyselyQueryResult {
  readonly rows: readonly unknown[];
  readonly numAffectedRows?: bigint;
  /** Rowid of the last inserted row (Kysely's SQLite dialect reports `lastInsertRowid` here). */
  readonly insertId?: bigint;
}

/**
 * A Kysely instance (or transaction) on SQLite, typed structurally as the subset the adapter calls.
 * A `Kysely<DB>` or `Transaction<DB>` from kysely 0.28 fits.
 */
export interface KyselyLike {
  /** `true` for a `Transaction` (a handle usable as `external`). */
  readonly isTransaction: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's own signature is generic over the result row type.
  executeQuery(query: any): Promise<KyselyQueryResult>;
  /** Reserves one connection for the callback (`kysely.connection().execute(cb)`). */
  connection(): { execute<T>(callback: (db: KyselyLike) => Promise<T>): Promise<T> };
}

/** The error classes the adapter distinguishes in driver errors. */
export type SqlErrorKind = "unique" | "foreign_key" | "busy" | "other";

/** Classifies a driver error by its SQLite extended result code (better-sqlite3's `code` property). */
export function sqlErrorKind(error: unknown): SqlErrorKind {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== "string") return "other";
  if (code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE") return "unique";
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") return "foreign_key";
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return "busy";
  return "other";
}
