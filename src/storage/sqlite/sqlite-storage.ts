import { ControlPlaneError } from "../../errors/control-plane-error.js";
import { assertPeerInstalled, BETTER_SQLITE3, missingPeerError } from "../peer-dependency.js";
import type { ChangeNotice, Storage, StorageTx, TransactionOptions } from "../storage.js";
import { betterSqliteConnection, isBetterSqliteDatabase } from "./better-sqlite3-driver.js";
import { ChainHeadCache } from "./chain-head-cache.js";
import { type BetterSqliteDatabase, type SqlConnection, sqlErrorKind } from "./driver.js";
import { type ConnectionLender, GroupCommitQueue } from "./group-commit.js";
import { isKyselyLike, kyselyConnection, loadRawQueryFactory } from "./kysely-driver.js";
import { applySqliteMigrations } from "./migrations.js";
import { ProposalCache } from "./proposal-cache.js";
import { ReadBatcher } from "./read-batcher.js";
import { toStorageError } from "./sql-run.js";
import {
  type ResolvedSqliteOptions,
  resolveSqliteOptions,
  type SqliteStorageOptions,
} from "./sqlite-options.js";
import { sqliteStores, sqliteTx } from "./sqlite-tx.js";

/** The SQLite storage: the {@link Storage} port plus an explicit `open()`. */
export interface SqliteStorage extends Storage {
  readonly dialect: "sqlite";
  /**
   * Opens the database and applies pending migrations now (otherwise this happens on first use). Call it
   * before the first `transaction(fn, { external })` when the host's handle is already inside a transaction.
   */
  open(): Promise<void>;
}

interface Opened {
  readonly queue: GroupCommitQueue;
  readonly reader: ReadBatcher | null;
  readonly closeOwned: () => void;
}

/**
 * Creates the SQLite storage adapter: WAL, `busy_timeout`, `synchronous=FULL` by default, `BEGIN IMMEDIATE`
 * for every write, migrations applied on open, and group commit (concurrent transactions share one durable
 * commit; each stays isolated in its own savepoint). Options are validated now; the database is opened on
 * first use (the file is created then).
 *
 * Change notices (`subscribe`) reach subscribers of this `Storage` instance only: other processes using the
 * same file are not notified and must poll. For `external` transactions the adapter cannot see the host's
 * commit: their notices are delivered once `fn` has resolved and the host had a turn to commit, so
 * listeners must treat a notice as a wake-up and re-read.
 * @example
 * import { createSqliteStorage } from "agent-control-plane/sqlite";
 * const storage = createSqliteStorage({ path: "./acp.db" });
 * @throws ValidationError naming each bad option.
 * @throws StorageError (code `storage_failure`) when `path` is given and `better-sqlite3` is not installed; the
 * message has the install command (`npm install better-sqlite3@12`), the resolution error is the `cause`.
 */
export function createSqliteStorage(options: SqliteStorageOptions): SqliteStorage {
  const opts = resolveSqliteOptions(options);
  if (opts.source.kind === "path") assertPeerInstalled(BETTER_SQLITE3);
  const listeners = new Set<(change: ChangeNotice) => void>();
  const externalConnections = new WeakMap<BetterSqliteDatabase, SqlConnection>();
  let opening: Promise<Opened> | undefined;
  let closed = false;

  const deliver = (notices: readonly ChangeNotice[]) => {
    if (listeners.size === 0) return;
    queueMicrotask(() => {
      for (const change of notices) {
        for (const listener of [...listeners]) {
          try {
            listener(change);
          } catch {
            // A failing listener must not affect the storage or other listeners.
          }
        }
      }
    });
  };

  const open = (): Promise<Opened> => {
    if (closed) return Promise.reject(new ControlPlaneError("closed", "SQLite storage is closed"));
    opening ??= openStorage(opts, deliver).catch((error) => {
      opening = undefined;
      throw toStorageError(error);
    });
    return opening;
  };

  const runExternal = async <T>(fn: (tx: StorageTx) => Promise<T>, external: unknown): Promise<T> => {
    let conn: SqlConnection;
    if (isKyselyLike(external)) {
      if (!external.isTransaction) {
        throw new ControlPlaneError(
          "validation_failed",
          "transaction external: expected a Kysely Transaction (db.transaction().execute(trx => …)), got a Kysely instance",
        );
      }
      conn = kyselyConnection(external, await loadRawQueryFactory());
    } else if (isBetterSqliteDatabase(external)) {
      if (!external.inTransaction) {
        throw new ControlPlaneError(
          "validation_failed",
          "transaction external: the better-sqlite3 database is not inside a transaction (run BEGIN first)",
        );
      }
      conn = externalConnections.get(external) ?? betterSqliteConnection(external);
      externalConnections.set(external, conn);
    } else {
      throw new ControlPlaneError(
        "validation_failed",
        "transaction external: expected a better-sqlite3 Database inside a transaction or a Kysely Transaction",
      );
    }
    await open();
    const notices: ChangeNotice[] = [];
    const value = await fn(sqliteTx(sqliteStores(conn), notices));
    if (notices.length > 0) setImmediate(() => deliver(notices));
    return value;
  };

  return {
    dialect: "sqlite",
    async open() {
      await open();
    },
    async transaction<T>(fn: (tx: StorageTx) => Promise<T>, txOptions?: TransactionOptions): Promise<T> {
      if (closed) throw new ControlPlaneError("closed", "SQLite storage is closed");
      if (txOptions?.external !== undefined) return runExternal(fn, txOptions.external);
      const { queue } = await open();
      return queue.write(fn);
    },
    async read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
      if (closed) throw new ControlPlaneError("closed", "SQLite storage is closed");
      const { queue, reader } = await open();
      return reader ? reader.read(fn) : queue.read(fn);
    },
    async subscribe(listener) {
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      const opened = await opening?.catch(() => undefined);
      if (!opened) return;
      await opened.queue.idle();
      await opened.reader?.idle();
      opened.closeOwned();
    },
  };
}

async function openStorage(
  opts: ResolvedSqliteOptions,
  deliver: (notices: readonly ChangeNotice[]) => void,
): Promise<Opened> {
  const { source } = opts;
  if (source.kind === "kysely") {
    const raw = await loadRawQueryFactory();
    const kysely = source.kysely;
    const cache = new ProposalCache();
    const heads = new ChainHeadCache();
    const lender: ConnectionLender = {
      withConnection: (fn) =>
        kysely.connection().execute((db) => {
          const conn = kyselyConnection(db, raw);
          return fn(conn, sqliteStores(conn, cache, heads));
        }),
    };
    await lender.withConnection(async (conn) => {
      await applyPragmas(conn, opts, false);
      if (opts.migrate) await applySqliteMigrations(conn, Date.now());
    });
    const queue = new GroupCommitQueue(lender, {
      maxBatch: opts.maxBatch,
      gatherWrites: opts.gatherWrites,
      onCommitted: deliver,
      onRollback: () => {
        cache.clear();
        heads.clear();
      },
    });
    return { queue, reader: null, closeOwned: () => undefined };
  }

  let writer: BetterSqliteDatabase;
  let Database: (new (path: string) => BetterSqliteDatabase) | undefined;
  if (source.kind === "path") {
    const mod = await import("better-sqlite3").catch((error: unknown) => {
      throw missingPeerError(BETTER_SQLITE3, error);
    });
    Database = mod.default as unknown as new (path: string) => BetterSqliteDatabase;
    writer = new Database(source.path);
  } else {
    writer = source.database;
  }
  const owned = source.kind === "path";
  const conn = betterSqliteConnection(writer);
  const cache = new ProposalCache();
  const heads = new ChainHeadCache();
  const stores = sqliteStores(conn, cache, heads);
  try {
    await applyPragmas(conn, opts, owned);
    if (opts.migrate) await applySqliteMigrations(conn, Date.now());
  } catch (error) {
    if (owned) writer.close();
    throw error;
  }
  let reader: ReadBatcher | null = null;
  let readerDb: BetterSqliteDatabase | undefined;
  if (Database && source.kind === "path" && opts.journalMode === "wal" && !isMemoryPath(source.path)) {
    // WAL readers never block the writer: reads get their own connection, which refuses writes.
    readerDb = new Database(source.path);
    const readConn = betterSqliteConnection(readerDb);
    await readConn.execute(`PRAGMA busy_timeout = ${opts.busyTimeoutMs}`);
    await readConn.execute("PRAGMA query_only = 1");
    // The reader only sees committed rows: its cache needs no invalidation.
    reader = new ReadBatcher(readConn, sqliteStores(readConn, new ProposalCache()));
  }
  const lender: ConnectionLender = { withConnection: (fn) => fn(conn, stores) };
  const hostDb = source.kind === "database" ? source.database : undefined;
  const queue = new GroupCommitQueue(lender, {
    maxBatch: opts.maxBatch,
    gatherWrites: opts.gatherWrites,
    onCommitted: deliver,
    onRollback: () => {
      cache.clear();
      heads.clear();
    },
    // A host transaction on its own handle (e.g. an `external` one) must end before a batch begins.
    beforeBegin: hostDb ? () => waitForNoTransaction(hostDb, opts.busyTimeoutMs) : undefined,
  });
  return {
    queue,
    reader,
    closeOwned: () => {
      readerDb?.close();
      if (owned) writer.close();
    },
  };
}

/** Sets the pragmas: all of them on connections we own, only the explicitly given ones on a host's. */
async function applyPragmas(conn: SqlConnection, opts: ResolvedSqliteOptions, owned: boolean): Promise<void> {
  if (owned || opts.explicit.busyTimeoutMs) await conn.execute(`PRAGMA busy_timeout = ${opts.busyTimeoutMs}`);
  if (owned || opts.explicit.journalMode) {
    const mode = opts.journalMode === "wal" ? "WAL" : "DELETE";
    await retryBusy(() => conn.execute(`PRAGMA journal_mode = ${mode}`), opts.busyTimeoutMs);
  }
  if (owned || opts.explicit.synchronous) {
    await conn.execute(`PRAGMA synchronous = ${opts.synchronous === "full" ? "FULL" : "NORMAL"}`);
  }
  if (owned) {
    await conn.execute("PRAGMA foreign_keys = ON");
    // Group commit runs each transaction in a savepoint: keep savepoint journals in memory (they only serve
    // rollback inside an open transaction, so durability is unchanged) and give the page cache some room.
    await conn.execute("PRAGMA temp_store = MEMORY");
    await conn.execute("PRAGMA cache_size = -32768");
  }
}

/** Retries `fn` while SQLite reports the database busy (changing the journal mode may not wait by itself). */
async function retryBusy<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + Math.max(timeoutMs, 100);
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (sqlErrorKind(error) !== "busy" || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

async function waitForNoTransaction(db: BetterSqliteDatabase, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (db.inTransaction) {
    if (Date.now() > deadline) {
      throw new ControlPlaneError("storage_failure", "the host's database stayed inside its own transaction");
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function isMemoryPath(path: string): boolean {
  return path === ":memory:" || path.startsWith("file::memory:") || path.includes("mode=memory");
}
