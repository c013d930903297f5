/**
 * The small SQL surface the PostgreSQL adapter runs on. Three drivers implement it (a `pg` pool, a host's
 * Kysely instance, PGlite); the stores only ever see {@link SqlExecutor}.
 */

/** Rows returned by one statement (column name → driver value). */
export interface SqlResult {
  readonly rows: readonly Record<string, unknown>[];
}

/** Runs parameterised statements (`$1`, `$2`…) on one connection, one at a time. */
export interface SqlExecutor {
  query(text: string, values?: readonly unknown[]): Promise<SqlResult>;
}

/** A change notification as received from the database. */
export interface RawNotification {
  readonly channel: string;
  readonly payload: string | undefined;
}

/** A running LISTEN: `stop()` ends it. */
export interface ListenHandle {
  stop(): Promise<void>;
}

/** Whether a transaction may write. */
export type TransactionMode = "write" | "read";

/** One way of reaching PostgreSQL. */
export interface SqlDriver {
  /**
   * Runs `fn` inside `BEGIN ISOLATION LEVEL READ COMMITTED … COMMIT` on one connection. `prelude` (one
   * parameterless statement) runs right after BEGIN and before `fn` — in the same round trip as BEGIN where
   * the driver can send both at once.
   */
  transaction<T>(fn: (q: SqlExecutor) => Promise<T>, mode: TransactionMode, prelude?: string): Promise<T>;
  /**
   * Wraps a host's open transaction handle. Returns `undefined` when the handle is of a kind this driver
   * does not understand; throws a clear error when it is of the right kind but unusable.
   */
  external(handle: unknown): SqlExecutor | undefined;
  /**
   * Runs one statement outside any transaction (autocommit: the statement is its own transaction) on a
   * connection of the driver's own pool. `undefined` when the driver cannot (the speculative fast path is then
   * off).
   */
  autocommit?(text: string, values: readonly unknown[]): Promise<SqlResult>;
  /**
   * Starts listening on `channel` on a dedicated connection that is re-established when it drops.
   * `undefined` when the driver has no way to listen.
   */
  listen?(channel: string, onNotification: (n: RawNotification) => void): Promise<ListenHandle>;
  /** Releases what the adapter owns (never the host's pool or instance). */
  end(): Promise<void>;
}

/** SQLSTATEs of transient conflicts after which a whole transaction may be retried. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(["40001", "40P01"]);

/** The SQLSTATE of a driver error (looked up along the `cause` chain), if any. */
export function sqlState(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === "object" && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
