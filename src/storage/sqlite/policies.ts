import type { JsonObject } from "../../types/json.js";
import type { PolicySnapshotRecord, PolicyStore } from "../storage.js";
import type { SqlConnection, SqlRow } from "./driver.js";
import { fromJson, runSql, toJson } from "./sql-run.js";

const toPolicy = (r: SqlRow): PolicySnapshotRecord => ({
  id: String(r.id),
  document: fromJson<JsonObject>(r.document),
  createdAt: Number(r.created_at),
});

/** SQLite implementation of {@link PolicyStore}. */
export function sqlitePolicies(conn: SqlConnection): PolicyStore {
  return {
    async put(s) {
      await runSql(
        conn,
        "INSERT INTO acp_policies (id, document, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
        [s.id, toJson(s.document), s.createdAt],
      );
    },
    async get(id) {
      const { rows } = await runSql(conn, "SELECT * FROM acp_policies WHERE id = ?", [id]);
      return rows[0] ? toPolicy(rows[0]) : undefined;
    },
  };
}
