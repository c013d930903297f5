import type { SessionRecord, SessionStatus } from "../../types/session.js";
import { SESSION_STATUSES } from "../../types/session.js";
import type { SessionStore } from "../storage.js";
import type { SqlConnection, SqlRow, SqlValue, SqlValues } from "./driver.js";
import { inJsonList, inParams, int, runSql, runValues, str, toJson, whereClause } from "./sql-run.js";

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

/** The select list of a session row, in the order {@link sessionOf} reads it. */
export const SESSION_COLUMNS = `id, name, agent_id, status, policy_id, max_cost, max_actions, used_cost, used_actions, last_seq,
  status_reason, created_at, updated_at`;

const COLUMNS = SESSION_COLUMNS;

/** Maps an `acp_sessions` row read as values in {@link SESSION_COLUMNS} order. */
export const sessionOf = (v: SqlValues): SessionRecord => ({
  id: v[0] as string,
  name: v[1] as string | null,
  agentId: v[2] as string | null,
  status: v[3] as SessionStatus,
  policyId: v[4] as string,
  maxCost: int(v[5]),
  maxActions: int(v[6]),
  usedCost: Number(v[7]),
  usedActions: Number(v[8]),
  lastSeq: Number(v[9]),
  statusReason: v[10] as string | null,
  createdAt: Number(v[11]),
  updatedAt: Number(v[12]),
});

const GET_SQL = `SELECT ${COLUMNS} FROM acp_sessions WHERE id = ?`;

// Increment-if-within-limit in one statement: the guard and the increment see the same row version, and
// RETURNING hands back the updated row (one statement instead of an UPDATE and a SELECT).
const RESERVE_SQL = `UPDATE acp_sessions SET used_cost = used_cost + ?, used_actions = used_actions + ?, updated_at = ?
  WHERE id = ? AND (max_cost IS NULL OR used_cost + ? <= max_cost)
    AND (max_actions IS NULL OR used_actions + ? <= max_actions)
  RETURNING ${COLUMNS}`;

const ADJUST_SQL = `UPDATE acp_sessions SET used_cost = MAX(0, used_cost + ?), used_actions = MAX(0, used_actions + ?),
    updated_at = ?
  WHERE id = ? RETURNING ${COLUMNS}`;

/** The session transition guarded by `count` statuses (the SQL text depends only on `count`). */
const transitionSqls = new Map<number, string>();
function transitionSql(count: number): string {
  let sql = transitionSqls.get(count);
  if (!sql) {
    sql = `UPDATE acp_sessions SET status = ?, status_reason = ?, updated_at = ?
      WHERE id = ? AND ${inParams("status", count)} RETURNING ${COLUMNS}`;
    transitionSqls.set(count, sql);
  }
  return sql;
}

/** SQLite implementation of {@link SessionStore}. Every guarded write is one `UPDATE … WHERE guard … RETURNING`. */
export function sqliteSessions(conn: SqlConnection): SessionStore {
  const read = async (id: string): Promise<SessionRecord | undefined> => {
    const rows = await runValues(conn, GET_SQL, [id]);
    return rows[0] ? sessionOf(rows[0]) : undefined;
  };
  /** Runs a single-row guarded `UPDATE … RETURNING`; the updated row, or `undefined` if the guard refused. */
  const update = async (sql: string, params: readonly SqlValue[]) => {
    const rows = await runValues(conn, sql, params);
    return rows[0] ? sessionOf(rows[0]) : undefined;
  };
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
    get: read,
    async transition(id, from, to, reason, now) {
      return update(transitionSql(from.length), [to, reason, now, id, ...from]);
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
      return update(RESERVE_SQL, [cost, actions, now, id, cost, actions]);
    },
    async adjustBudget(id, costDelta, actionsDelta, now) {
      return update(ADJUST_SQL, [costDelta, actionsDelta, now, id]);
    },
    async list(q) {
      const w = whereClause([
        q.statuses !== undefined && [inJsonList("status"), toJson(q.statuses)],
        q.agentId !== undefined && ["agent_id = ?", q.agentId],
      ]);
      const { rows } = await runSql(
        conn,
        `SELECT ${COLUMNS} FROM acp_sessions ${w.sql} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
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
    async budgetUsed() {
      const { rows } = await runSql(
        conn,
        "SELECT COALESCE(SUM(used_cost), 0) AS cost, COALESCE(SUM(used_actions), 0) AS actions FROM acp_sessions",
      );
      return { cost: Number(rows[0]?.cost ?? 0), actions: Number(rows[0]?.actions ?? 0) };
    },
  };
}
