import { StorageError } from "../../errors/control-plane-error.js";
import type { ChangeNotice, StorageTx } from "../storage.js";
import type { SqlConnection } from "./driver.js";
import { toStorageError } from "./sql-run.js";
import { type SqliteStores, sqliteTx } from "./sqlite-tx.js";

/** Lends the write connection (and its stores) to one batch at a time. */
export interface ConnectionLender {
  withConnection<T>(fn: (conn: SqlConnection, stores: SqliteStores) => Promise<T>): Promise<T>;
}

/**
 * How many promise turns a batch waits, before its commit, for a write that is already on its way. Microtask
 * turns cost next to nothing, and a write that arrives shares the batch's one durable commit instead of paying
 * its own.
 */
const LATECOMER_TURNS = 16;

/** Captured at load, so that tests faking timers cannot stall the queue. */
const realSetImmediate = globalThis.setImmediate;

interface QueueItem {
  readonly kind: "write" | "read";
  readonly fn: (tx: StorageTx) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface Done {
  readonly item: QueueItem;
  readonly value: unknown;
  readonly notices: readonly ChangeNotice[];
}

/** Options of {@link GroupCommitQueue}. */
export interface GroupCommitOptions {
  /** Most transactions committed together. */
  readonly maxBatch: number;
  /** Start a batch on the next event-loop turn (see the SQLite option `gatherWrites`); default: at once. */
  readonly gatherWrites?: boolean;
  /** Waits until the connection may start a transaction (e.g. a host transaction on a shared handle ended). */
  readonly beforeBegin?: () => Promise<void>;
  /** Receives the notices of committed transactions, after their callers were resolved. */
  readonly onCommitted: (notices: readonly ChangeNotice[]) => void;
  /** Called after any write was rolled back (a savepoint or the batch): caches of written rows must go. */
  readonly onRollback?: () => void;
}

/**
 * Group commit over one write connection. `write(fn)` enqueues; a drain loop opens `BEGIN IMMEDIATE`, runs each
 * queued fn in its own SAVEPOINT (a throwing fn is rolled back to its savepoint and rejected alone; the first fn
 * of a transaction runs bare, and if it throws the still empty transaction is rolled back and begun anew), keeps
 * taking transactions queued meanwhile up to `maxBatch`, then COMMITs once and only then resolves each caller.
 * If the commit fails, every caller of the batch rejects. `read(fn)` (for connections without a separate
 * reader) runs between batches, in a read transaction with `query_only` set.
 */
export class GroupCommitQueue {
  private readonly queue: QueueItem[] = [];
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly lender: ConnectionLender,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Enqueues a write transaction; resolves after the batch containing it is committed. */
  write<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.enqueue("write", fn);
  }

  /** Enqueues a read; it runs between write batches and sees committed data only. */
  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.enqueue("read", fn);
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.draining) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private enqueue<T>(kind: QueueItem["kind"], fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ kind, fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // With gatherWrites, start on the next turn of the event loop: callers woken by the same I/O (HTTP
        // requests read from several sockets in one poll) enqueue first and share the batch's durable commit.
        if (this.options.gatherWrites) realSetImmediate(() => void this.drain());
        else void this.drain();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      let committed = false;
      while (this.queue.length > 0) {
        // After a commit, let the event loop read its sockets before the next batch: better-sqlite3 blocks the
        // loop while it commits, so requests that arrived meanwhile (HTTP callers) join the next batch and
        // share its one durable commit instead of committing one by one. An idle queue starts at once.
        if (committed) await new Promise<void>((resolve) => realSetImmediate(resolve));
        committed = this.queue[0]?.kind === "write";
        let started = false;
        try {
          if (this.options.beforeBegin) await this.options.beforeBegin();
          await this.lender.withConnection(async (conn, stores) => {
            started = true;
            if (this.queue[0]?.kind === "read") await runSerialisedReads(conn, stores, this.takeReads());
            else await this.runBatch(conn, stores);
          });
        } catch (error) {
          // The connection could not be had: fail what would have run, so that the loop makes progress.
          if (!started) for (const item of this.takeBatch()) item.reject(toStorageError(error));
        }
      }
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private takeReads(): QueueItem[] {
    const items: QueueItem[] = [];
    while (this.queue[0]?.kind === "read") items.push(this.queue.shift()!);
    return items;
  }

  /** The head run of items of the same kind (at most `maxBatch` writes). */
  private takeBatch(): QueueItem[] {
    if (this.queue[0]?.kind === "read") return this.takeReads();
    const items: QueueItem[] = [];
    while (items.length < this.options.maxBatch && this.queue[0]?.kind === "write")
      items.push(this.queue.shift()!);
    return items;
  }

  /**
   * Waits {@link LATECOMER_TURNS} promise turns (no event-loop turn: no I/O or timer runs inside the open
   * transaction) and tells whether a write was queued meanwhile.
   */
  private async writeArrives(): Promise<boolean> {
    for (let i = 0; i < LATECOMER_TURNS && this.queue.length === 0; i++) await undefined;
    return this.queue[0]?.kind === "write";
  }

  /** Opens the batch's write transaction; if it cannot, rejects what the batch would have taken. */
  private async begin(conn: SqlConnection): Promise<boolean> {
    try {
      await conn.execute("BEGIN IMMEDIATE");
      return true;
    } catch (error) {
      const failure = new StorageError(
        `SQLite could not begin a write transaction: ${errorText(error)}`,
        error,
      );
      for (const item of this.takeBatch()) item.reject(failure);
      return false;
    }
  }

  private async runBatch(conn: SqlConnection, stores: SqliteStores): Promise<void> {
    if (!(await this.begin(conn))) return;
    const done: Done[] = [];
    let taken = 0;
    let fatal: unknown;
    // Nothing ran in the open transaction yet: the next item needs no savepoint (if it throws, the whole,
    // still empty, transaction is rolled back and a new one begins for the rest of the batch).
    let fresh = true;
    for (;;) {
      while (taken < this.options.maxBatch && this.queue[0]?.kind === "write") {
        const item = this.queue.shift()!;
        taken++;
        const notices: ChangeNotice[] = [];
        if (!fresh) {
          try {
            await conn.execute("SAVEPOINT acp_tx");
          } catch (error) {
            fatal = error;
            item.reject(toStorageError(error));
            break;
          }
        }
        let value: unknown;
        try {
          value = await item.fn(sqliteTx(stores, notices));
        } catch (error) {
          this.options.onRollback?.();
          if (fresh) {
            item.reject(error);
            try {
              await conn.execute("ROLLBACK");
            } catch (rollbackError) {
              fatal = rollbackError;
              break;
            }
            if (!(taken < this.options.maxBatch && this.queue[0]?.kind === "write")) return;
            if (!(await this.begin(conn))) return;
            continue;
          }
          try {
            await conn.execute("ROLLBACK TO acp_tx");
            await conn.execute("RELEASE acp_tx");
          } catch (rollbackError) {
            fatal = rollbackError;
          }
          item.reject(error);
          if (fatal !== undefined) break;
          continue;
        }
        if (fresh) {
          fresh = false;
          done.push({ item, value, notices });
          continue;
        }
        try {
          await conn.execute("RELEASE acp_tx");
          done.push({ item, value, notices });
        } catch (error) {
          fatal = error;
          item.reject(toStorageError(error));
          break;
        }
      }
      // Before the one durable commit, let work already under way in this process (a caller whose next write
      // is a few promise turns away, e.g. an agent's next call answered in-process) join the batch.
      if (fatal !== undefined || taken >= this.options.maxBatch || !(await this.writeArrives())) break;
    }
    if (fatal === undefined) {
      try {
        await conn.execute("COMMIT");
      } catch (error) {
        fatal = error;
      }
    }
    if (fatal !== undefined) {
      this.options.onRollback?.();
      await conn.execute("ROLLBACK").catch(() => undefined);
      const failure = new StorageError(
        `SQLite transaction failed and was rolled back: ${errorText(fatal)}`,
        fatal,
      );
      for (const d of done) d.item.reject(failure);
      return;
    }
    const notices: ChangeNotice[] = [];
    for (const d of done) {
      d.item.resolve(d.value);
      notices.push(...d.notices);
    }
    if (notices.length > 0) this.options.onCommitted(notices);
  }
}

/**
 * Runs reads concurrently in one read transaction on a connection that also writes: `query_only` makes any
 * write attempt fail instead of committing, and the transaction is rolled back at the end.
 */
async function runSerialisedReads(conn: SqlConnection, stores: SqliteStores, items: readonly QueueItem[]) {
  try {
    await conn.execute("BEGIN");
    await conn.execute("PRAGMA query_only = 1");
  } catch (error) {
    await conn.execute("ROLLBACK").catch(() => undefined);
    for (const item of items) item.reject(toStorageError(error));
    return;
  }
  let settle: () => void = () => undefined;
  try {
    settle = await runReads(stores, items);
  } finally {
    await conn.execute("PRAGMA query_only = 0").catch(() => undefined);
    await conn.execute("ROLLBACK").catch(() => undefined);
  }
  // Callers continue only once the read transaction is closed (the connection is free again).
  settle();
}

/**
 * Runs read functions concurrently on one transaction view. Returns a function that settles each caller with
 * its own result: call it after closing the read transaction.
 */
export async function runReads(
  stores: SqliteStores,
  items: readonly { fn: QueueItem["fn"]; resolve: QueueItem["resolve"]; reject: QueueItem["reject"] }[],
): Promise<() => void> {
  const tx = sqliteTx(stores, null);
  const outcomes = await Promise.allSettled(items.map((item) => item.fn(tx)));
  return () => {
    outcomes.forEach((outcome, i) => {
      const item = items[i]!;
      if (outcome.status === "fulfilled") item.resolve(outcome.value);
      else item.reject(outcome.reason);
    });
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
