import type { CheckpointStore, StoredCheckpoint } from "../checkpoint-store.js";
import type { SqlConnection, SqlRow } from "./driver.js";
import { fromJson, runSql, toJson } from "./sql-run.js";

const COLUMNS = "size, last_event_id, root_hash, frontier, note, created_at";

const toCheckpoint = (r: SqlRow): StoredCheckpoint => ({
  size: Number(r.size),
  lastEventId: Number(r.last_event_id),
  rootHash: String(r.root_hash),
  frontier: fromJson<string[]>(r.frontier),
  note: String(r.note),
  createdAt: Number(r.created_at),
});

/** SQLite implementation of {@link CheckpointStore}: `insert` is `INSERT … ON CONFLICT (size) DO NOTHING`. */
export function sqliteCheckpoints(conn: SqlConnection): CheckpointStore {
  return {
    async insert(cp) {
      const { changes } = await runSql(
        conn,
        `INSERT INTO acp_checkpoints (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (size) DO NOTHING`,
        [cp.size, cp.lastEventId, cp.rootHash, toJson(cp.frontier), cp.note, cp.createdAt],
      );
      return changes === 1;
    },
    async latest() {
      const { rows } = await runSql(
        conn,
        `SELECT ${COLUMNS} FROM acp_checkpoints ORDER BY size DESC LIMIT 1`,
      );
      return rows[0] ? toCheckpoint(rows[0]) : undefined;
    },
    async list(q) {
      const { rows } = await runSql(
        conn,
        `SELECT ${COLUMNS} FROM acp_checkpoints WHERE size > ? ORDER BY size LIMIT ?`,
        [q.afterSize ?? -1, q.limit],
      );
      return rows.map(toCheckpoint);
    },
  };
}
