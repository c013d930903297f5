import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";

/** A `pg` notification message (the subset the adapter reads). */
export interface PgNotificationLike {
  readonly channel: string;
  readonly payload?: string | undefined;
}

/**
 * The subset of a `pg` `Client` / `PoolClient` the adapter calls. A host passes its own; it is typed
 * structurally so that the root package never needs `pg` at runtime.
 */
export interface PgClientLike {
  query(config: { text: string; values?: unknown[]; name?: string }): Promise<{ rows: unknown[] }>;
  /** Present on pg ≥ 8.12: `"I"` idle, `"T"` in a transaction, `"E"` in a failed transaction. */
  getTransactionStatus?(): string | null;
}

/** A `pg` `PoolClient`: a {@link PgClientLike} that goes back to its pool. */
export interface PgPoolClientLike extends PgClientLike {
  release(error?: Error | boolean): void;
  on(event: "notification", listener: (message: PgNotificationLike) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  removeListener(event: "notification" | "error", listener: (...args: unknown[]) => void): unknown;
}

/** The subset of a `pg` `Pool` the adapter calls. The adapter never ends a host's pool. */
export interface PgPoolLike {
  connect(): Promise<PgPoolClientLike>;
}

/** A Kysely compiled raw query, built structurally (no runtime import of Kysely). */
export interface KyselyCompiledQueryLike {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  readonly query: {
    readonly kind: "RawNode";
    readonly sqlFragments: readonly string[];
    readonly parameters: readonly never[];
  };
  readonly queryId: { readonly queryId: string };
}

/** The subset of a Kysely instance or transaction the adapter calls. */
export interface KyselyExecutorLike {
  readonly isTransaction: boolean;
  executeQuery(query: KyselyCompiledQueryLike): Promise<{ readonly rows: readonly unknown[] }>;
}

/** The subset of a `Kysely` instance (PostgreSQL dialect) the adapter calls. Never destroyed by the adapter. */
export interface KyselyLike extends KyselyExecutorLike {
  transaction(): {
    setIsolationLevel(level: "read committed"): {
      execute<T>(fn: (trx: KyselyExecutorLike) => Promise<T>): Promise<T>;
    };
  };
}

/** The subset of a PGlite transaction the adapter calls. */
export interface PGliteQueryableLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The subset of a PGlite instance the adapter calls. Never closed by the adapter. */
export interface PGliteLike extends PGliteQueryableLike {
  transaction<T>(fn: (tx: PGliteQueryableLike & { readonly closed: boolean }) => Promise<T>): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/**
 * Options of `createPostgresStorage`. Give exactly one of `connectionString`, `pool`, `kysely`, `pglite`.
 */
export interface PostgresStorageOptions {
  /** Connection string: the adapter creates (and on `close()` ends) its own `pg` pool. */
  readonly connectionString?: string;
  /** A host's `pg` Pool. Never ended by the adapter. */
  readonly pool?: PgPoolLike;
  /** A host's Kysely instance with the PostgreSQL dialect. Never destroyed by the adapter. */
  readonly kysely?: KyselyLike;
  /** An in-process PGlite instance (tests, single-process apps). Never closed by the adapter. */
  readonly pglite?: PGliteLike;
  /** Schema holding the adapter's tables (all prefixed `acp_`). Default `"public"`. Created if missing. */
  readonly schema?: string;
  /** Size of the pool created from `connectionString`. Default 10. */
  readonly poolSize?: number;
  /**
   * Receive change notices from other processes with LISTEN/NOTIFY (one dedicated connection).
   * Default `true`. When `false` (or on Kysely without `listenConnectionString`), `subscribe` only sees
   * notices committed through this storage instance.
   */
  readonly listen?: boolean;
  /** With `kysely`: a connection string for the dedicated LISTEN connection. */
  readonly listenConnectionString?: string;
  /**
   * Apply pending migrations on first use (under an advisory lock). Default `true`. When `false`, the
   * adapter checks that the schema is up to date and fails with a clear error otherwise.
   */
  readonly migrate?: boolean;
  /** How often a transaction that hit a deadlock or serialization failure is re-run. Default 3. */
  readonly maxRetries?: number;
  /**
   * Use named (server-side prepared) statements on `pg` connections. Default `true`; turn off behind a
   * transaction-mode connection pooler that cannot keep prepared statements.
   */
  readonly preparedStatements?: boolean;
}

/** Options after validation, with defaults applied. */
export interface ResolvedPostgresOptions {
  readonly source:
    | { readonly kind: "connectionString"; readonly connectionString: string; readonly poolSize: number }
    | { readonly kind: "pool"; readonly pool: PgPoolLike }
    | {
        readonly kind: "kysely";
        readonly kysely: KyselyLike;
        readonly listenConnectionString: string | undefined;
      }
    | { readonly kind: "pglite"; readonly pglite: PGliteLike };
  readonly schema: string;
  readonly listen: boolean;
  readonly migrate: boolean;
  readonly maxRetries: number;
  readonly preparedStatements: boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const SOURCES = ["connectionString", "pool", "kysely", "pglite"] as const;

/**
 * Validates `createPostgresStorage` options eagerly.
 * @throws ValidationError naming every bad option (`options.schema: …`).
 */
export function resolvePostgresOptions(options: unknown): ResolvedPostgresOptions {
  if (typeof options !== "object" || options === null) {
    throw new ValidationError(
      [{ path: "options", message: "expected an options object" }],
      "PostgreSQL storage options",
    );
  }
  const o = options as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const given = SOURCES.filter((k) => o[k] !== undefined);
  if (given.length !== 1) {
    issues.push({
      path: "options",
      message: `expected exactly one of connectionString, pool, kysely, pglite (got ${given.length === 0 ? "none" : given.join(", ")})`,
    });
  }
  const isFn = (v: unknown, name: string) =>
    typeof (v as Record<string, unknown> | null)?.[name] === "function";
  if (
    o.connectionString !== undefined &&
    (typeof o.connectionString !== "string" || o.connectionString === "")
  ) {
    issues.push({
      path: "options.connectionString",
      message: "expected a non-empty string",
      received: o.connectionString,
    });
  }
  if (o.pool !== undefined && !isFn(o.pool, "connect")) {
    issues.push({ path: "options.pool", message: "expected a pg Pool (an object with connect())" });
  }
  if (o.kysely !== undefined && !(isFn(o.kysely, "executeQuery") && isFn(o.kysely, "transaction"))) {
    issues.push({
      path: "options.kysely",
      message: "expected a Kysely instance (with executeQuery() and transaction())",
    });
  } else if (o.kysely !== undefined && (o.kysely as { isTransaction?: unknown }).isTransaction === true) {
    issues.push({ path: "options.kysely", message: "expected a Kysely instance, not a transaction" });
  }
  if (
    o.pglite !== undefined &&
    !(isFn(o.pglite, "query") && isFn(o.pglite, "transaction") && isFn(o.pglite, "listen"))
  ) {
    issues.push({ path: "options.pglite", message: "expected a PGlite instance" });
  }
  const schema = o.schema ?? "public";
  if (typeof schema !== "string" || !IDENTIFIER.test(schema)) {
    issues.push({
      path: "options.schema",
      message:
        "expected an identifier of letters, digits and underscores (at most 63, not starting with a digit)",
      received: schema,
    });
  }
  const poolSize = o.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || (poolSize as number) < 1 || (poolSize as number) > 1000) {
    issues.push({
      path: "options.poolSize",
      message: "expected an integer from 1 to 1000",
      received: poolSize,
    });
  } else if (o.poolSize !== undefined && o.connectionString === undefined) {
    issues.push({
      path: "options.poolSize",
      message: "only applies with connectionString (size your own pool)",
    });
  }
  const maxRetries = o.maxRetries ?? 3;
  if (!Number.isInteger(maxRetries) || (maxRetries as number) < 0 || (maxRetries as number) > 20) {
    issues.push({
      path: "options.maxRetries",
      message: "expected an integer from 0 to 20",
      received: maxRetries,
    });
  }
  for (const flag of ["listen", "migrate", "preparedStatements"] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== "boolean") {
      issues.push({ path: `options.${flag}`, message: "expected a boolean", received: o[flag] });
    }
  }
  const lcs = o.listenConnectionString;
  if (lcs !== undefined && (typeof lcs !== "string" || lcs === "" || o.kysely === undefined)) {
    issues.push({
      path: "options.listenConnectionString",
      message: "expected a non-empty string, used with kysely",
    });
  }
  if (issues.length > 0) throw new ValidationError(issues, "PostgreSQL storage options");
  const source: ResolvedPostgresOptions["source"] =
    o.connectionString !== undefined
      ? {
          kind: "connectionString",
          connectionString: o.connectionString as string,
          poolSize: poolSize as number,
        }
      : o.pool !== undefined
        ? { kind: "pool", pool: o.pool as PgPoolLike }
        : o.kysely !== undefined
          ? {
              kind: "kysely",
              kysely: o.kysely as KyselyLike,
              listenConnectionString: lcs as string | undefined,
            }
          : { kind: "pglite", pglite: o.pglite as PGliteLike };
  return {
    source,
    schema: schema as string,
    listen: (o.listen as boolean | undefined) ?? true,
    migrate: (o.migrate as boolean | undefined) ?? true,
    maxRetries: maxRetries as number,
    preparedStatements: (o.preparedStatements as boolean | undefined) ?? true,
  };
}
