import type { SessionRecord, SessionStatus } from "../../types/session.js";
import { SESSION_STATUSES } from "../../types/session.js";
import type { SessionStore } from "../storage.js";
import type { SqlConnection, SqlRow } from "./driver.js";
import { inJsonList, int, runSql, str, toJson, whereClause } from "./sql-run.js";

/** Maps an `acp_sessions` row. */
export const toSession = (r: SqlRow): SessionRecord => ({
  id: String(r.id),
  name: str(r.name),
  agentId: str(r.agent_id),
  status: r.status as SessionStatus,
  policyId: String(r.policy_id),
  maxCost: int(r.max_cost),
  maxActions: int(r.max_actions),
  usedCost: Number(r.used_cost),
  usedActions: Number(r.used_actions),
  lastSeq: Number(r.last_seq),
  statusReason: str(r.status_reason),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** SQLite implementation of {@link SessionStore}. Every guarded write is one `UPDATE … WHERE guard … RETURNING`. */
export function sqliteSessions(conn: SqlConnection): SessionStore {
  return {
    async insert(s) {
      await runSql(
        conn,
        `INSERT INTO acp_sessions (id, name, agent_id, status, policy_id, max_cost, max_actions, used_cost,
           used_actions, last_seq, status_reason, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          s.id,
          s.name,
          s.agentId,
          s.status,
          s.policyId,
          s.maxCost,
          s.maxActions,
          s.usedCost,
          s.usedActions,
          s.lastSeq,
          s.statusReason,
          s.createdAt,
          s.updatedAt,
        ],
        { conflict: `session ${s.id} already exists` },
      );
    },
    async get(id) {
      const { rows } = await runSql(conn, "SELECT * FROM acp_sessions WHERE id = ?", [id]);
      return rows[0] ? toSession(rows[0]) : undefined;
    },
    async transition(id, from, to, reason, now) {
      const { rows } = await runSql(
        conn,
        `UPDATE acp_sessions SET status = ?, status_reason = ?, updated_at = ?
         WHERE id = ? AND ${inJsonList("status")} RETURNING *`,
        [to, reason, now, id, toJson(from)],
      );
      return rows[0] ? toSession(rows[0]) : undefined;
    },
    async transitionWhere(f, to, reason, now) {
      const w = whereClause([
        [inJsonList("status"), toJson(f.statuses)],
        f.agentId !== undefined && ["agent_id = ?", f.agentId],
        f.sessionId !== undefined && ["id = ?", f.sessionId],
      ]);
      const { rows } = await runSql(
        conn,
        `UPDATE acp_sessions SET status = ?, status_reason = ?, updated_at = ? ${w.sql} RETURNING id`,
        [to, reason, now, ...w.params],
      );
      return rows.map((r) => String(r.id));
    },
    async reserveBudget(id, cost, actions, now) {
      // Increment-if-within-limit in one statement: the guard and the increment see the same row version.
      const { rows } = await runSql(
        conn,
        `UPDATE acp_sessions SET used_cost = used_cost + ?, used_actions = used_actions + ?, updated_at = ?
         WHERE id = ? AND (max_cost IS NULL OR used_cost + ? <= max_cost)
           AND (max_actions IS NULL OR used_actions + ? <= max_actions)
         RETURNING *`,
        [cost, actions, now, id, cost, actions],
      );
      return rows[0] ? toSession(rows[0]) : undefined;
    },
    async adjustBudget(id, costDelta, actionsDelta, now) {
      const { rows } = await runSql(
        conn,
        `UPDATE acp_sessions SET used_cost = MAX(0, used_cost + ?), used_actions = MAX(0, used_actions + ?),
           updated_at = ?
         WHERE id = ? RETURNING *`,
        [costDelta, actionsDelta, now, id],
      );
      return rows[0] ? toSession(rows[0]) : undefined;
    },
    async list(q) {
      const w = whereClause([
        q.statuses !== undefined && [inJsonList("status"), toJson(q.statuses)],
        q.agentId !== undefined && ["agent_id = ?", q.agentId],
      ]);
      const { rows } = await runSql(
        conn,
        `SELECT * FROM acp_sessions ${w.sql} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
        [...w.params, q.limit, q.offset ?? 0],
      );
      return rows.map(toSession);
    },
    async countByStatus() {
      const counts = Object.fromEntries(SESSION_STATUSES.map((st) => [st, 0])) as Record<
        SessionStatus,
        number
      >;
      const { rows } = await runSql(conn, "SELECT status, COUNT(*) AS n FROM acp_sessions GROUP BY status");
      for (const r of rows) counts[r.status as SessionStatus] = Number(r.n);
      return counts;
    },
  };
}
