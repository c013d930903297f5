import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { JsonValue } from "../../types/json.js";
import type { IdempotencyRecord, IdempotencyStore } from "../storage.js";
import { num, type PgTxContext, parseJson } from "./context.js";

/**
 * PostgreSQL implementation of {@link IdempotencyStore}. `put` is `INSERT … ON CONFLICT DO NOTHING`: a racing
 * insert of the same key waits for the other transaction and reports a `conflict` if it committed, without
 * aborting this transaction.
 */
export function pgIdempotency(c: PgTxContext): IdempotencyStore {
  const t = c.t.idempotency;
  return {
    async get(key) {
      const r = await c.q.query(
        `SELECT key, operation, fingerprint, result::text AS result, created_at FROM ${t} WHERE key = $1`,
        [key],
      );
      return toIdempotency(r.rows[0]);
    },
    async put(record) {
      const r = await c.q.query(
        `INSERT INTO ${t} (key, operation, fingerprint, result, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)
         ON CONFLICT (key) DO NOTHING RETURNING key`,
        [record.key, record.operation, record.fingerprint, JSON.stringify(record.result), record.createdAt],
      );
      if (r.rows.length === 0) {
        throw new ControlPlaneError(
          "conflict",
          `idempotency key ${JSON.stringify(record.key)} already recorded`,
        );
      }
    },
  };
}

/** Maps an idempotency row (`result` selected as JSON text); `undefined` for no row. */
export function toIdempotency(value: unknown): IdempotencyRecord | undefined {
  if (value === null || value === undefined) return undefined;
  const row = value as Record<string, unknown>;
  return {
    key: row.key as string,
    operation: row.operation as string,
    fingerprint: row.fingerprint as string,
    result: parseJson<JsonValue>(row.result),
    createdAt: num(row.created_at),
  };
}
