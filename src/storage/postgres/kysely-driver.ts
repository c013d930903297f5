import type { ListenHandle, RawNotification, SqlDriver } from "./driver.js";
import { kyselyExecutor } from "./executors.js";
import { externalExecutor } from "./external.js";
import type { KyselyLike } from "./options.js";
import { connectPgClient } from "./pg-client.js";
import { pgPoolDriver } from "./pg-driver.js";

/**
 * A driver over a host's Kysely instance (PostgreSQL dialect): each transaction is a Kysely transaction at
 * READ COMMITTED. Kysely exposes no notifications, so LISTEN needs `listenConnectionString`.
 */
export function kyselyDriver(
  kysely: KyselyLike,
  options: { readonly listenConnectionString: string | undefined },
): SqlDriver {
  const listenUrl = options.listenConnectionString;
  return {
    transaction: (fn, _mode, prelude) =>
      kysely
        .transaction()
        .setIsolationLevel("read committed")
        .execute(async (trx) => {
          const q = kyselyExecutor(trx);
          if (prelude !== undefined) await q.query(prelude);
          return fn(q);
        }),
    external: (handle) => externalExecutor(handle, { prepared: false, pglite: false }),
    ...(listenUrl === undefined
      ? {}
      : {
          listen(channel: string, onNotification: (n: RawNotification) => void): Promise<ListenHandle> {
            const pool = { connect: () => connectPgClient(listenUrl) };
            return pgPoolDriver(pool, { prepared: false }).listen!(channel, onNotification);
          },
        }),
    async end() {},
  };
}
