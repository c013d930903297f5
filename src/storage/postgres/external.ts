import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { SqlExecutor } from "./driver.js";
import { kyselyExecutor, pgExecutor, pgliteExecutor } from "./executors.js";
import type { KyselyExecutorLike, PGliteQueryableLike, PgClientLike } from "./options.js";

const invalid = (message: string) =>
  new ControlPlaneError("validation_failed", `options.external: ${message}`);

/**
 * Recognises a host's open transaction handle: a Kysely `Transaction`, a `pg` `Client`/`PoolClient` on which
 * the host ran `BEGIN`, or (with `pglite`) a PGlite transaction. Throws a `validation_failed` error for a
 * handle that cannot be used (a pool, a Kysely instance outside a transaction, a pg client outside `BEGIN`).
 */
export function externalExecutor(
  handle: unknown,
  options: { readonly prepared: boolean; readonly pglite: boolean },
): SqlExecutor {
  if (typeof handle !== "object" || handle === null) {
    throw invalid(`expected a transaction handle, got ${handle === null ? "null" : typeof handle}`);
  }
  const h = handle as Record<string, unknown>;
  if (typeof h.executeQuery === "function") {
    if (h.isTransaction !== true) {
      throw invalid(
        "a Kysely instance is not a transaction: pass the `trx` of db.transaction().execute(trx => …)",
      );
    }
    return kyselyExecutor(handle as KyselyExecutorLike);
  }
  if (typeof h.query !== "function")
    throw invalid("unrecognised handle (expected a pg client, Kysely or PGlite transaction)");
  if (typeof h.totalCount === "number" && typeof h.idleCount === "number") {
    throw invalid("a pg Pool is not a transaction: check out a client, run BEGIN and pass the client");
  }
  if (typeof h.exec === "function" && typeof h.closed === "boolean") {
    if (!options.pglite)
      throw invalid("a PGlite transaction can only join a storage created with { pglite }");
    if (h.closed) throw invalid("the PGlite transaction is already closed");
    return pgliteExecutor(handle as PGliteQueryableLike);
  }
  if (typeof h.listen === "function" && typeof h.transaction === "function") {
    throw invalid("a PGlite instance is not a transaction: pass the `tx` of pglite.transaction(tx => …)");
  }
  if (options.pglite) throw invalid("a storage created with { pglite } can only join a PGlite transaction");
  const client = handle as unknown as PgClientLike;
  const status = client.getTransactionStatus?.();
  if (status === "I") throw invalid("the pg client is not inside a transaction: run BEGIN first");
  if (status === "E") throw invalid("the pg client's transaction has failed: roll it back");
  return pgExecutor(client, options.prepared);
}
