import type { JsonValue } from "../../types/json.js";
import type { IdempotencyStore } from "../storage.js";
import type { SqlConnection } from "./driver.js";
import { fromJson, runSql, toJson } from "./sql-run.js";

/** SQLite implementation of {@link IdempotencyStore}. */
export function sqliteIdempotency(conn: SqlConnection): IdempotencyStore {
  return {
    async get(key) {
      const { rows } = await runSql(conn, "SELECT * FROM acp_idempotency WHERE key = ?", [key]);
      const r = rows[0];
      if (!r) return undefined;
      return {
        key: String(r.key),
        operation: String(r.operation),
        fingerprint: String(r.fingerprint),
        result: fromJson<JsonValue>(r.result),
        createdAt: Number(r.created_at),
      };
    },
    async put(record) {
      await runSql(
        conn,
        "INSERT INTO acp_idempotency (key, operation, fingerprint, result, created_at) VALUES (?, ?, ?, ?, ?)",
        [record.key, record.operation, record.fingerprint, toJson(record.result), record.createdAt],
        { conflict: `idempotency key ${JSON.stringify(record.key)} already recorded` },
      );
    },
  };
}
