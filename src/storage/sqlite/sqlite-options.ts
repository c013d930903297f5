import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import type { BetterSqliteDatabase, KyselyLike } from "./driver.js";

/**
 * Options of `createSqliteStorage`. Give exactly one of `path`, `database` or `kysely`.
 */
export interface SqliteStorageOptions {
  /** Database file, created on first use; `":memory:"` for a private in-memory database. */
  readonly path?: string;
  /**
   * A host's better-sqlite3 database. Never closed by the adapter. Pragmas are only changed when the
   * corresponding option is given. Do not use this connection for your own statements while storage
   * transactions run, except by joining them with `transaction(fn, { external: database })`.
   */
  readonly database?: BetterSqliteDatabase;
  /** A host's Kysely instance on SQLite. Never destroyed by the adapter. */
  readonly kysely?: KyselyLike;
  /** `PRAGMA synchronous` (default `"full"`: every commit is fsynced). */
  readonly synchronous?: "full" | "normal";
  /** `PRAGMA journal_mode` (default `"wal"`). */
  readonly journalMode?: "wal" | "delete";
  /** `PRAGMA busy_timeout`: how long to wait for another process's write lock (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** Most transactions committed together by group commit (default 256). */
  readonly maxBatch?: number;
  /**
   * Start a write batch on the next turn of the event loop instead of at once (default `false`). Callers
   * woken by the same I/O — HTTP requests read from several sockets in one poll — then share one durable
   * commit; an idle transaction waits one loop turn. `acp serve` turns it on; in-process callers are faster
   * without it.
   */
  readonly gatherWrites?: boolean;
  /** Apply the schema migrations on open (default `true`). Set `false` when your own tool applies them. */
  readonly migrate?: boolean;
}

/** Options after validation and defaults. `explicit` tells which pragmas the caller set. */
export interface ResolvedSqliteOptions {
  readonly source:
    | { readonly kind: "path"; readonly path: string }
    | { readonly kind: "database"; readonly database: BetterSqliteDatabase }
    | { readonly kind: "kysely"; readonly kysely: KyselyLike };
  readonly synchronous: "full" | "normal";
  readonly journalMode: "wal" | "delete";
  readonly busyTimeoutMs: number;
  readonly maxBatch: number;
  readonly gatherWrites: boolean;
  readonly migrate: boolean;
  readonly explicit: {
    readonly synchronous: boolean;
    readonly journalMode: boolean;
    readonly busyTimeoutMs: boolean;
  };
}

/**
 * Validates `createSqliteStorage` options eagerly.
 * @throws ValidationError naming each bad option (`options.synchronous`, …).
 */
export function resolveSqliteOptions(options: SqliteStorageOptions): ResolvedSqliteOptions {
  const issues: ValidationIssue[] = [];
  if (typeof options !== "object" || options === null) {
    throw new ValidationError([{ path: "options", message: "expected an object" }], "SQLite storage options");
  }
  const given = (["path", "database", "kysely"] as const).filter((k) => options[k] !== undefined);
  if (given.length !== 1) {
    issues.push({
      path: "options",
      message: `expected exactly one of path, database or kysely (got ${given.length === 0 ? "none" : given.join(", ")})`,
    });
  }
  if (options.path !== undefined && (typeof options.path !== "string" || options.path.length === 0)) {
    issues.push({
      path: "options.path",
      message: 'expected a non-empty file path or ":memory:"',
      received: options.path,
    });
  }
  const db = options.database as unknown;
  if (
    db !== undefined &&
    (typeof db !== "object" || db === null || typeof (db as { prepare?: unknown }).prepare !== "function")
  ) {
    issues.push({ path: "options.database", message: "expected a better-sqlite3 Database" });
  }
  const ky = options.kysely as unknown;
  if (
    ky !== undefined &&
    (typeof ky !== "object" ||
      ky === null ||
      typeof (ky as { executeQuery?: unknown }).executeQuery !== "function" ||
      typeof (ky as { connection?: unknown }).connection !== "function")
  ) {
    issues.push({ path: "options.kysely", message: "expected a Kysely instance" });
  }
  if (
    options.synchronous !== undefined &&
    options.synchronous !== "full" &&
    options.synchronous !== "normal"
  ) {
    issues.push({
      path: "options.synchronous",
      message: 'expected "full" or "normal"',
      received: options.synchronous,
    });
  }
  if (
    options.journalMode !== undefined &&
    options.journalMode !== "wal" &&
    options.journalMode !== "delete"
  ) {
    issues.push({
      path: "options.journalMode",
      message: 'expected "wal" or "delete"',
      received: options.journalMode,
    });
  }
  if (
    options.busyTimeoutMs !== undefined &&
    !(Number.isInteger(options.busyTimeoutMs) && options.busyTimeoutMs >= 0)
  ) {
    issues.push({
      path: "options.busyTimeoutMs",
      message: "expected an integer >= 0",
      received: options.busyTimeoutMs,
    });
  }
  if (options.maxBatch !== undefined && !(Number.isInteger(options.maxBatch) && options.maxBatch >= 1)) {
    issues.push({
      path: "options.maxBatch",
      message: "expected an integer >= 1",
      received: options.maxBatch,
    });
  }
  if (options.gatherWrites !== undefined && typeof options.gatherWrites !== "boolean") {
    issues.push({
      path: "options.gatherWrites",
      message: "expected a boolean",
      received: options.gatherWrites,
    });
  }
  if (options.migrate !== undefined && typeof options.migrate !== "boolean") {
    issues.push({ path: "options.migrate", message: "expected a boolean", received: options.migrate });
  }
  if (issues.length > 0) throw new ValidationError(issues, "SQLite storage options");
  const source: ResolvedSqliteOptions["source"] =
    options.path !== undefined
      ? { kind: "path", path: options.path }
      : options.database !== undefined
        ? { kind: "database", database: options.database }
        : { kind: "kysely", kysely: options.kysely! };
  return {
    source,
    synchronous: options.synchronous ?? "full",
    journalMode: options.journalMode ?? "wal",
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    maxBatch: options.maxBatch ?? 256,
    gatherWrites: options.gatherWrites ?? false,
    migrate: options.migrate ?? true,
    explicit: {
      synchronous: options.synchronous !== undefined,
      journalMode: options.journalMode !== undefined,
      busyTimeoutMs: options.busyTimeoutMs !== undefined,
    },
  };
}
