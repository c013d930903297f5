import type { CheckpointStore, StoredCheckpoint } from "../checkpoint-store.js";
import { num, type PgTxContext } from "./context.js";

const COLUMNS = "size, last_event_id, root_hash, frontier, note, created_at";

function toCheckpoint(r: Record<string, unknown>): StoredCheckpoint {
  return {
    size: num(r.size),
    lastEventId: num(r.last_event_id),
    rootHash: r.root_hash as string,
    frontier: JSON.parse(r.frontier as string) as string[],
    note: r.note as string,
    createdAt: num(r.created_at),
  };
}

/**
 * PostgreSQL implementation of {@link CheckpointStore}: `insert` is `INSERT … ON CONFLICT (size) DO NOTHING`
 * (of two racing sealers of one size, one stores it; the other waits for its commit and stores nothing).
 */
export function pgCheckpoints(c: PgTxContext): CheckpointStore {
  const t = c.t.checkpoints;
  return {
    async insert(cp) {
      const r = await c.q.query(
        `INSERT INTO ${t} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (size) DO NOTHING RETURNING 1 AS ok`,
        [cp.size, cp.lastEventId, cp.rootHash, JSON.stringify(cp.frontier), cp.note, cp.createdAt],
      );
      return r.rows.length === 1;
    },
    async latest() {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${t} ORDER BY size DESC LIMIT 1`);
      return r.rows[0] ? toCheckpoint(r.rows[0]) : undefined;
    },
    async list(q) {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${t} WHERE size > $1 ORDER BY size LIMIT $2`, [
        q.afterSize ?? -1,
        q.limit,
      ]);
      return r.rows.map(toCheckpoint);
    },
  };
}
