import type { ListenHandle, RawNotification, SqlDriver } from "./driver.js";
import { pgliteExecutor } from "./executors.js";
import { externalExecutor } from "./external.js";
import type { PGliteLike } from "./options.js";

/**
 * A driver over an in-process PGlite instance. PGlite has one connection: its `transaction()` runs
 * transactions one at a time, so the race guarantees hold trivially; LISTEN/NOTIFY works in-process.
 */
export function pgliteDriver(pglite: PGliteLike): SqlDriver {
  return {
    transaction: (fn, mode, prelude) =>
      pglite.transaction(async (tx) => {
        if (mode === "read") await tx.query("SET TRANSACTION READ ONLY");
        const q = pgliteExecutor(tx);
        if (prelude !== undefined) await q.query(prelude);
        return fn(q);
      }),
    external: (handle) => externalExecutor(handle, { prepared: false, pglite: true }),
    async listen(channel: string, onNotification: (n: RawNotification) => void): Promise<ListenHandle> {
      const stop = await pglite.listen(channel, (payload) => onNotification({ channel, payload }));
      return { stop: () => stop() };
    },
    async end() {},
  };
}
