import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { StorageTx } from "../../storage/storage.js";
import type { JsonValue } from "../../types/json.js";

/**
 * Looks up an idempotency key inside the caller's transaction. Returns the first result recorded for the
 * same operation, or `undefined` when the key is new.
 * @throws ControlPlaneError `idempotency_conflict` when the key was used for another operation.
 */
export async function replayIdempotent(
  tx: StorageTx,
  key: string | undefined,
  operation: string,
): Promise<JsonValue | undefined> {
  if (key === undefined) return undefined;
  const found = await tx.idempotency.get(key);
  if (!found) return undefined;
  if (found.operation !== operation) {
    throw new ControlPlaneError(
      "idempotency_conflict",
      `idempotency key ${JSON.stringify(key)} was already used for "${found.operation}", not "${operation}"`,
      { details: { key, operation: found.operation, attempted: operation } },
    );
  }
  return found.result;
}

/** Records the result of an idempotent operation in the same transaction as its effects. */
export async function recordIdempotent(
  tx: StorageTx,
  key: string | undefined,
  operation: string,
  result: JsonValue,
  now: number,
): Promise<void> {
  if (key !== undefined) await tx.idempotency.put({ key, operation, result, createdAt: now });
}
