import { hash } from "node:crypto";
import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { Storage, StorageTx } from "../../storage/storage.js";
import type { JsonValue } from "../../types/json.js";
import { canonicalJson } from "../policy/canonical-json.js";

/**
 * Fingerprint of one request: its operation and canonical input (object keys sorted, `undefined` omitted). The
 * input must not contain the idempotency key itself.
 * @example idempotencyFingerprint("kill", { scope: "global", reason: "drill" })
 */
export function idempotencyFingerprint(operation: string, input: unknown): string {
  return hash("sha256", `${operation}\u0000${canonicalJson(input)}`, "base64url");
}

/**
 * Looks up an idempotency key inside the caller's transaction. Returns the first result recorded for the
 * same request (same operation and canonical input), or `undefined` when the key is new.
 * @throws ControlPlaneError `idempotency_conflict` when the key was used for a different request (another
 *   operation, or the same operation with another input); its details name the key and the operation.
 */
export async function replayIdempotent(
  tx: StorageTx,
  key: string | undefined,
  operation: string,
  input: unknown,
): Promise<JsonValue | undefined> {
  if (key === undefined) return undefined;
  const found = await tx.idempotency.get(key);
  if (!found) return undefined;
  if (found.operation !== operation) {
    throw new ControlPlaneError(
      "idempotency_conflict",
      `idempotency key ${JSON.stringify(key)} was already used for a different request ("${found.operation}", not "${operation}"); use a new key for a new request`,
      { details: { key, operation: found.operation, attempted: operation } },
    );
  }
  if (found.fingerprint !== idempotencyFingerprint(operation, input)) {
    throw new ControlPlaneError(
      "idempotency_conflict",
      `idempotency key ${JSON.stringify(key)} was already used for a different request of "${operation}" (other input); use a new key for a new request`,
      { details: { key, operation } },
    );
  }
  return found.result;
}

/** Records the result of an idempotent operation, with its request fingerprint, in the same transaction. */
export async function recordIdempotent(
  tx: StorageTx,
  key: string | undefined,
  operation: string,
  input: unknown,
  result: JsonValue,
  now: number,
): Promise<void> {
  if (key === undefined) return;
  const fingerprint = idempotencyFingerprint(operation, input);
  await tx.idempotency.put({ key, operation, fingerprint, result, createdAt: now });
}

/**
 * Settles an idempotent transaction that failed: when a concurrent caller with the same key committed first
 * (the failure is then its `conflict` on the key, or an error caused by the winner's effects, such as a ticket
 * already decided), the failed call gets the winner's recorded result — or `idempotency_conflict` if the
 * winner's request was a different one. Otherwise the original error is rethrown. Costs nothing on success:
 * callers run it only after a failure.
 */
export async function replayAfterFailure(
  storage: Storage,
  key: string | undefined,
  operation: string,
  input: unknown,
  error: unknown,
): Promise<JsonValue> {
  if (key === undefined) throw error;
  let replayed: JsonValue | undefined;
  try {
    replayed = await storage.read((tx) => replayIdempotent(tx, key, operation, input));
  } catch (readError) {
    if (readError instanceof ControlPlaneError && readError.code === "idempotency_conflict") throw readError;
    throw error;
  }
  if (replayed === undefined) throw error;
  return replayed;
}
