import type { StorageTx } from "../storage.js";
import type { SqlConnection } from "./driver.js";
import { runReads } from "./group-commit.js";
import { toStorageError } from "./sql-run.js";
import type { SqliteStores } from "./sqlite-tx.js";

interface ReadItem {
  readonly fn: (tx: StorageTx) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Reads on a dedicated reader connection (a WAL file: readers never block the writer nor wait for it). Reads
 * queued together share one read transaction, so each sees one committed snapshot.
 */
export class ReadBatcher {
  private pending: ReadItem[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly conn: SqlConnection,
    private readonly stores: SqliteStores,
  ) {}

  /** Runs `fn` against committed data. */
  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        void this.run();
      }
    });
  }

  /** Resolves once no read is queued or running. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const items = this.pending;
        this.pending = [];
        try {
          await this.conn.execute("BEGIN");
        } catch (error) {
          for (const item of items) item.reject(toStorageError(error));
          continue;
        }
        let settle: () => void = () => undefined;
        try {
          settle = await runReads(this.stores, items);
        } finally {
          await this.conn.execute("ROLLBACK").catch(() => undefined);
        }
        settle();
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
