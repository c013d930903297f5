import type { LeaseRecord } from "../../types/lease.js";
import type { LeaseStore } from "../storage.js";
import type { SqlConnection, SqlRow } from "./driver.js";
import { runSql, str } from "./sql-run.js";

const toLease = (r: SqlRow): LeaseRecord => ({
  key: String(r.key),
  owner: String(r.owner),
  expiresAt: Number(r.expires_at),
  sessionId: str(r.session_id),
  proposalId: str(r.proposal_id),
  acquiredAt: Number(r.acquired_at),
});

const INSERT_IF_FREE_SQL = `INSERT INTO acp_leases (key, owner, expires_at, session_id, proposal_id, acquired_at)
  VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`;

/** SQLite implementation of {@link LeaseStore}. */
export function sqliteLeases(conn: SqlConnection): LeaseStore {
  const store: LeaseStore = {
    async acquireDisplacing(l, now) {
      // Usually the key is free: one insert that does nothing on a conflict takes it, displacing nobody.
      const free = await runSql(conn, INSERT_IF_FREE_SQL, [
        l.key,
        l.owner,
        l.expiresAt,
        l.sessionId,
        l.proposalId,
        l.acquiredAt,
      ]);
      if (free.changes > 0) return { acquired: true, displaced: undefined };
      // Writers are serialized (BEGIN IMMEDIATE): the holder read here is the one the upsert replaces.
      const held = await store.get(l.key);
      if (!(await store.acquire(l, now))) return { acquired: false };
      return { acquired: true, displaced: held && held.owner !== l.owner ? held : undefined };
    },
    async acquire(l, now) {
      // Acquire-if-free-or-expired as one upsert: the WHERE of DO UPDATE is the guard.
      const { changes } = await runSql(
        conn,
        `INSERT INTO acp_leases (key, owner, expires_at, session_id, proposal_id, acquired_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at,
           session_id = excluded.session_id, proposal_id = excluded.proposal_id,
           acquired_at = CASE WHEN acp_leases.owner = excluded.owner THEN acp_leases.acquired_at
                              ELSE excluded.acquired_at END
         WHERE acp_leases.owner = excluded.owner OR acp_leases.expires_at <= ?`,
        [l.key, l.owner, l.expiresAt, l.sessionId, l.proposalId, l.acquiredAt, now],
      );
      // An insert or an update that passed the guard changes one row; a refused update changes none.
      return changes > 0;
    },
    async renew(key, owner, expiresAt, now) {
      const { changes } = await runSql(
        conn,
        "UPDATE acp_leases SET expires_at = ? WHERE key = ? AND owner = ? AND expires_at > ?",
        [expiresAt, key, owner, now],
      );
      return changes > 0;
    },
    async release(key, owner) {
      const { changes } = await runSql(conn, "DELETE FROM acp_leases WHERE key = ? AND owner = ?", [
        key,
        owner,
      ]);
      return changes > 0;
    },
    async releaseExpired(key, owner, now) {
      const { changes } = await runSql(
        conn,
        "DELETE FROM acp_leases WHERE key = ? AND owner = ? AND expires_at <= ?",
        [key, owner, now],
      );
      return changes > 0;
    },
    async get(key) {
      const { rows } = await runSql(
        conn,
        "SELECT key, owner, expires_at, session_id, proposal_id, acquired_at FROM acp_leases WHERE key = ?",
        [key],
      );
      return rows[0] ? toLease(rows[0]) : undefined;
    },
    async releaseForSession(sessionId) {
      const { changes } = await runSql(conn, "DELETE FROM acp_leases WHERE session_id = ?", [sessionId]);
      return changes;
    },
    async listExpired(now, limit) {
      const { rows } = await runSql(
        conn,
        "SELECT * FROM acp_leases WHERE expires_at <= ? ORDER BY expires_at, rowid LIMIT ?",
        [now, limit],
      );
      return rows.map(toLease);
    },
    async countLive(keyPrefix, now) {
      // substr() instead of LIKE: a prefix holding % or _ must match literally.
      const { rows } = await runSql(
        conn,
        "SELECT COUNT(*) AS n FROM acp_leases WHERE substr(key, 1, ?) = ? AND expires_at > ?",
        [keyPrefix.length, keyPrefix, now],
      );
      return Number((rows[0] as { n: number | bigint }).n);
    },
  };
  return store;
}
