import type { ApprovalScope, TicketRecord, TicketRequest, TicketStatus } from "../../types/ticket.js";
import type { TicketStore } from "../storage.js";
import type { SqlConnection, SqlRow, SqlValue } from "./driver.js";
import {
  fromJsonOrNull,
  inJsonList,
  int,
  runSql,
  str,
  toJson,
  toJsonOrNull,
  whereClause,
} from "./sql-run.js";

const toTicket = (r: SqlRow): TicketRecord => ({
  id: String(r.id),
  sessionId: String(r.session_id),
  proposalId: String(r.proposal_id),
  request: fromJsonOrNull<TicketRequest>(r.request) as TicketRequest,
  status: r.status as TicketStatus,
  createdAt: Number(r.created_at),
  deadlineAt: Number(r.deadline_at),
  decidedAt: int(r.decided_at),
  decidedBy: str(r.decided_by),
  reason: str(r.reason),
  scope: fromJsonOrNull<ApprovalScope>(r.scope),
  escalationLevel: Number(r.escalation_level),
});

const field = (name: string) => `json_extract(t.scope, '$.${name}')`;

/**
 * Consume-one in one statement: the subquery picks the oldest approved session-scope ticket of the session
 * whose scope covers the request (the same predicate as `scopeCovers`), and the UPDATE decrements its
 * `remaining` (when set). The write lock held by the transaction makes the pick and the decrement atomic,
 * and the guard is re-checked on the row being updated.
 */
const CONSUME_SQL = `UPDATE acp_tickets SET scope = CASE
    WHEN json_extract(scope, '$.remaining') IS NULL THEN scope
    ELSE json_set(scope, '$.remaining', json_extract(scope, '$.remaining') - 1) END
  WHERE id = (
    SELECT t.id FROM acp_tickets t
    WHERE t.session_id = ? AND t.status = 'approved' AND ${field("kind")} = 'session'
      AND (${field("actions")} IS NULL
        OR EXISTS (SELECT 1 FROM json_each(t.scope, '$.actions') a WHERE a.value = ?))
      AND (${field("resourceIds")} IS NULL
        OR (? IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(t.scope, '$.resourceIds') r WHERE r.value = ?)))
      AND (${field("maxCostPerAction")} IS NULL OR ? <= ${field("maxCostPerAction")})
      AND (${field("expiresAt")} IS NULL OR ${field("expiresAt")} > ?)
      AND (${field("remaining")} IS NULL OR ${field("remaining")} > 0)
    ORDER BY t.created_at, t.rowid LIMIT 1)
  AND (json_extract(scope, '$.remaining') IS NULL OR json_extract(scope, '$.remaining') > 0)
  RETURNING *`;

/** SQLite implementation of {@link TicketStore}. */
export function sqliteTickets(conn: SqlConnection): TicketStore {
  return {
    async insert(t) {
      await runSql(
        conn,
        `INSERT INTO acp_tickets (id, session_id, proposal_id, status, created_at, deadline_at, decided_at,
           decided_by, reason, scope, escalation_level, request)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          t.id,
          t.sessionId,
          t.proposalId,
          t.status,
          t.createdAt,
          t.deadlineAt,
          t.decidedAt,
          t.decidedBy,
          t.reason,
          toJsonOrNull(t.scope),
          t.escalationLevel,
          toJson(t.request),
        ],
        { conflict: `ticket ${t.id} already exists` },
      );
    },
    async get(id) {
      const { rows } = await runSql(conn, "SELECT * FROM acp_tickets WHERE id = ?", [id]);
      return rows[0] ? toTicket(rows[0]) : undefined;
    },
    async decide(id, d) {
      const { rows } = await runSql(
        conn,
        `UPDATE acp_tickets SET status = ?, decided_by = ?, reason = ?, scope = ?, decided_at = ?
         WHERE id = ? AND status = 'pending' RETURNING *`,
        [d.status, d.decidedBy, d.reason, toJsonOrNull(d.scope), d.decidedAt, id],
      );
      return rows[0] ? toTicket(rows[0]) : undefined;
    },
    async escalate(id, fromLevel, deadlineAt) {
      const { rows } = await runSql(
        conn,
        `UPDATE acp_tickets SET escalation_level = escalation_level + 1, deadline_at = ?
         WHERE id = ? AND status = 'pending' AND escalation_level = ? RETURNING *`,
        [deadlineAt, id, fromLevel],
      );
      return rows[0] ? toTicket(rows[0]) : undefined;
    },
    async denyPendingWhere(f, decidedBy, reason, now) {
      const any: string[] = [];
      const params: SqlValue[] = ["denied", decidedBy, reason, now];
      if (f.all) any.push("1");
      if (f.sessionId !== undefined) {
        any.push("session_id = ?");
        params.push(f.sessionId);
      }
      if (f.agentId !== undefined) {
        any.push(
          `EXISTS (SELECT 1 FROM acp_proposals p WHERE p.id = acp_tickets.proposal_id AND p.agent_id = ?)`,
          `EXISTS (SELECT 1 FROM acp_sessions s WHERE s.id = acp_tickets.session_id AND s.agent_id = ?)`,
        );
        params.push(f.agentId, f.agentId);
      }
      if (any.length === 0) return [];
      const { rows } = await runSql(
        conn,
        `UPDATE acp_tickets SET status = ?, decided_by = ?, reason = ?, decided_at = ?
         WHERE status = 'pending' AND (${any.join(" OR ")}) RETURNING *`,
        params,
      );
      return rows.map(toTicket);
    },
    async consumeScope(q) {
      const { rows } = await runSql(conn, CONSUME_SQL, [
        q.sessionId,
        q.action,
        q.resourceId,
        q.resourceId,
        q.cost,
        q.now,
      ]);
      return rows[0] ? toTicket(rows[0]) : undefined;
    },
    async list(q) {
      const w = whereClause([
        q.sessionId !== undefined && ["session_id = ?", q.sessionId],
        q.statuses !== undefined && [inJsonList("status"), toJson(q.statuses)],
      ]);
      const { rows } = await runSql(
        conn,
        `SELECT * FROM acp_tickets ${w.sql} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
        [...w.params, q.limit, q.offset ?? 0],
      );
      return rows.map(toTicket);
    },
    async listDue(now, limit) {
      const { rows } = await runSql(
        conn,
        `SELECT * FROM acp_tickets WHERE status = 'pending' AND deadline_at <= ?
         ORDER BY deadline_at, rowid LIMIT ?`,
        [now, limit],
      );
      return rows.map(toTicket);
    },
    async countPending() {
      const { rows } = await runSql(conn, "SELECT COUNT(*) AS n FROM acp_tickets WHERE status = 'pending'");
      return Number(rows[0]?.n ?? 0);
    },
  };
}
