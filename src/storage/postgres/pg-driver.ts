import {
  type ListenHandle,
  type RawNotification,
  type SqlDriver,
  type SqlExecutor,
  type SqlResult,
  sqlState,
  type TransactionMode,
} from "./driver.js";
import { pgExecutor } from "./executors.js";
import { externalExecutor } from "./external.js";
import { listenWithReconnect } from "./listen-loop.js";
import type { PgClientLike, PgPoolClientLike, PgPoolLike } from "./options.js";

const ignore = () => {};

/** Options of {@link pgPoolDriver}. */
export interface PgPoolDriverOptions {
  readonly prepared: boolean;
  /** Ends the pool when the adapter owns it (created from a connection string). */
  readonly end?: () => Promise<void>;
  /** Opens the dedicated LISTEN connection; by default one client checked out of the pool. */
  readonly connectListener?: () => Promise<PgPoolClientLike>;
}

/** A driver over a `pg` Pool: one checked-out client per transaction. */
export function pgPoolDriver(pool: PgPoolLike, options: PgPoolDriverOptions): SqlDriver {
  const begin = {
    write: "BEGIN ISOLATION LEVEL READ COMMITTED",
    read: "BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY",
  } as const;
  return {
    async transaction<T>(
      fn: (q: SqlExecutor) => Promise<T>,
      mode: TransactionMode,
      prelude?: string,
    ): Promise<T> {
      const client = await pool.connect();
      // A backend that dies while we hold the client must not crash the process with an unhandled 'error'.
      client.on("error", ignore);
      let broken: Error | undefined;
      try {
        try {
          // One simple-protocol query: BEGIN and the prelude cost one round trip.
          await run(client, prelude === undefined ? begin[mode] : `${begin[mode]}; ${prelude}`);
        } catch (error) {
          broken = error as Error;
          throw error;
        }
        let result: T;
        try {
          result = await fn(pgExecutor(client, options.prepared));
        } catch (error) {
          try {
            await run(client, "ROLLBACK");
          } catch (rollbackError) {
            broken = rollbackError as Error;
          }
          throw error;
        }
        try {
          await run(client, "COMMIT");
        } catch (error) {
          // The outcome is unknown and so is the connection's state: never reuse it.
          broken = error as Error;
          throw error;
        }
        return result;
      } finally {
        client.removeListener("error", ignore);
        client.release(broken);
      }
    },
    async autocommit(text: string, values: readonly unknown[]): Promise<SqlResult> {
      const client = await pool.connect();
      client.on("error", ignore);
      let broken: Error | undefined;
      try {
        return await pgExecutor(client, options.prepared).query(text, values);
      } catch (error) {
        // An error the server reported leaves the connection usable; anything else (a lost connection) does not.
        const reported = typeof (error as { severity?: unknown })?.severity === "string";
        if (!reported || sqlState(error) === undefined) broken = error as Error;
        throw error;
      } finally {
        client.removeListener("error", ignore);
        client.release(broken);
      }
    },
    external: (handle) => externalExecutor(handle, { prepared: options.prepared, pglite: false }),
    async listen(channel: string, onNotification: (n: RawNotification) => void): Promise<ListenHandle> {
      const connect = options.connectListener ?? (() => pool.connect());
      return listenWithReconnect(channel, async () => {
        const client = await connect();
        const forward = (m: { channel: string; payload?: string | undefined }) =>
          onNotification({ channel: m.channel, payload: m.payload });
        client.on("notification", forward);
        return {
          query: (text) => client.query({ text }),
          onLost: (cb) => client.on("error", cb),
          close: (error) => {
            client.removeListener("notification", forward as (...args: unknown[]) => void);
            client.release(error ?? true);
          },
        };
      });
    },
    async end() {
      await options.end?.();
    },
  };
}

async function run(client: PgClientLike, text: string): Promise<void> {
  await client.query({ text });
}
