import type { LeaseRecord } from "../../types/lease.js";
import type { LeaseStore } from "../storage.js";
import { num, type PgTxContext, textOrNull } from "./context.js";

const COLUMNS = "key, owner, expires_at, session_id, proposal_id, acquired_at";

function toLease(r: Record<string, unknown>): LeaseRecord {
  return {
    key: r.key as string,
    owner: r.owner as string,
    expiresAt: num(r.expires_at),
    sessionId: textOrNull(r.session_id),
    proposalId: textOrNull(r.proposal_id),
    acquiredAt: num(r.acquired_at),
  };
}

/**
 * PostgreSQL implementation of {@link LeaseStore}. `acquire` is one `INSERT … ON CONFLICT DO UPDATE … WHERE
 * (same owner OR expired) RETURNING`: a racing acquirer waits on the row and re-checks the guard, so two can
 * never both hold a key. `listExpired` skips rows locked by another transaction (`FOR UPDATE SKIP LOCKED`) so
 * that several maintenance runners claim disjoint work.
 */
export function pgLeases(c: PgTxContext): LeaseStore {
  const t = c.t.leases;
  const upsert = `INSERT INTO ${t} AS l (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at,
      session_id = EXCLUDED.session_id, proposal_id = EXCLUDED.proposal_id,
      acquired_at = CASE WHEN l.owner = EXCLUDED.owner THEN l.acquired_at ELSE EXCLUDED.acquired_at END
    WHERE l.owner = EXCLUDED.owner OR l.expires_at <= $7`;
  return {
    async acquire(l, now) {
      const r = await c.q.query(`${upsert} RETURNING 1 AS ok`, [
        l.key,
        l.owner,
        l.expiresAt,
        l.sessionId,
        l.proposalId,
        l.acquiredAt,
        now,
      ]);
      return r.rows.length > 0;
    },
    async acquireDisplacing(l, now) {
      // The RETURNING subquery reads the statement's snapshot: the row as it was before this upsert.
      const r = await c.q.query(
        `${upsert} RETURNING (SELECT row_to_json(p) FROM (SELECT ${COLUMNS} FROM ${t} WHERE key = $1) p) AS prev`,
        [l.key, l.owner, l.expiresAt, l.sessionId, l.proposalId, l.acquiredAt, now],
      );
      const row = r.rows[0];
      if (row === undefined) return { acquired: false };
      const prev = row.prev as Record<string, unknown> | null;
      const held = prev === null ? undefined : toLease(prev);
      return { acquired: true, displaced: held && held.owner !== l.owner ? held : undefined };
    },
    async renew(key, owner, expiresAt, now) {
      const r = await c.q.query(
        `UPDATE ${t} SET expires_at = $3 WHERE key = $1 AND owner = $2 AND expires_at > $4 RETURNING 1 AS ok`,
        [key, owner, expiresAt, now],
      );
      return r.rows.length > 0;
    },
    async release(key, owner) {
      const r = await c.q.query(`DELETE FROM ${t} WHERE key = $1 AND owner = $2 RETURNING 1 AS ok`, [
        key,
        owner,
      ]);
      return r.rows.length > 0;
    },
    async releaseExpired(key, owner, now) {
      const r = await c.q.query(
        `DELETE FROM ${t} WHERE key = $1 AND owner = $2 AND expires_at <= $3 RETURNING 1 AS ok`,
        [key, owner, now],
      );
      return r.rows.length > 0;
    },
    async get(key) {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${t} WHERE key = $1`, [key]);
      return r.rows[0] === undefined ? undefined : toLease(r.rows[0]);
    },
    async releaseForSession(sessionId) {
      const r = await c.q.query(`DELETE FROM ${t} WHERE session_id = $1 RETURNING 1 AS ok`, [sessionId]);
      return r.rows.length;
    },
    async listExpired(now, limit) {
      const r = await c.q.query(
        `SELECT ${COLUMNS} FROM ${t} WHERE expires_at <= $1 ORDER BY expires_at, key LIMIT $2${
          c.write ? " FOR UPDATE SKIP LOCKED" : ""
        }`,
        [now, limit],
      );
      return r.rows.map(toLease);
    },
    async countLive(keyPrefix, now) {
      const r = await c.q.query(
        `SELECT COUNT(*)::int AS n FROM ${t} WHERE left(key, $1) = $2 AND expires_at > $3`,
        [keyPrefix.length, keyPrefix, now],
      );
      return Number((r.rows[0] as { n: number }).n);
    },
  };
}
