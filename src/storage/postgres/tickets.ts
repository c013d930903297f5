import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { ApprovalScope, TicketRecord, TicketRequest, TicketStatus } from "../../types/ticket.js";
import type { TicketStore } from "../storage.js";
import { num, numOrNull, type PgTxContext, parseJson, textOrNull } from "./context.js";
import { listNewestFirst } from "./list-newest.js";

const COLUMNS =
  "id, session_id, proposal_id, status, created_at, deadline_at, decided_at, decided_by, reason, scope::text AS scope, escalation_level, request::text AS request";

function toTicket(r: Record<string, unknown>): TicketRecord {
  return {
    id: r.id as string,
    sessionId: r.session_id as string,
    proposalId: r.proposal_id as string,
    request: parseJson<TicketRequest>(r.request),
    status: r.status as TicketStatus,
    createdAt: num(r.created_at),
    deadlineAt: num(r.deadline_at),
    decidedAt: numOrNull(r.decided_at),
    decidedBy: textOrNull(r.decided_by),
    reason: textOrNull(r.reason),
    scope: parseJson<ApprovalScope | null>(r.scope),
    escalationLevel: num(r.escalation_level),
  };
}

/**
 * `scopeCovers` (src/storage/scope-covers.ts) in SQL, over the `scope` JSONB of the ticket:
 * $2 action, $3 resource id (or NULL), $4 cost (micros), $5 now (ms).
 */
const COVERS = `scope->>'kind' = 'session'
  AND (scope->>'actions' IS NULL OR jsonb_exists(scope->'actions', $2::text))
  AND (scope->>'resourceIds' IS NULL OR ($3::text IS NOT NULL AND jsonb_exists(scope->'resourceIds', $3::text)))
  AND (scope->>'maxCostPerAction' IS NULL OR $4::bigint <= (scope->>'maxCostPerAction')::numeric)
  AND (scope->>'expiresAt' IS NULL OR (scope->>'expiresAt')::numeric > $5::bigint)
  AND (scope->>'remaining' IS NULL OR (scope->>'remaining')::numeric > 0)`;

/**
 * PostgreSQL implementation of {@link TicketStore}. `decide` is `UPDATE … WHERE status = 'pending' RETURNING`
 * (decided at most once across processes); `consumeScope` locks the first covering ticket with
 * `ORDER BY … LIMIT 1 FOR UPDATE` (the lock re-checks the predicate on the newest row version, so two
 * consumers never both take the last unit); `listDue` skips tickets locked by someone else.
 */
export function pgTickets(c: PgTxContext): TicketStore {
  const { tickets: t, proposals, sessions } = c.t;
  const sorted = (rows: readonly Record<string, unknown>[]) =>
    [...rows].sort((a, b) => num(a.pos) - num(b.pos)).map(toTicket);
  return {
    async insert(k) {
      const r = await c.q.query(
        `INSERT INTO ${t} (id, session_id, proposal_id, status, created_at, deadline_at, decided_at, decided_by, reason,
           scope, escalation_level, request)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12::jsonb) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          k.id,
          k.sessionId,
          k.proposalId,
          k.status,
          k.createdAt,
          k.deadlineAt,
          k.decidedAt,
          k.decidedBy,
          k.reason,
          k.scope === null ? null : JSON.stringify(k.scope),
          k.escalationLevel,
          JSON.stringify(k.request),
        ],
      );
      if (r.rows.length === 0) throw new ControlPlaneError("conflict", `ticket ${k.id} already exists`);
    },
    async get(id) {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${t} WHERE id = $1`, [id]);
      return r.rows[0] === undefined ? undefined : toTicket(r.rows[0]);
    },
    async decide(id, d) {
      const r = await c.q.query(
        `UPDATE ${t} SET status = $2, decided_by = $3, reason = $4, scope = $5::jsonb, decided_at = $6
         WHERE id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
        [id, d.status, d.decidedBy, d.reason, d.scope === null ? null : JSON.stringify(d.scope), d.decidedAt],
      );
      return r.rows[0] === undefined ? undefined : toTicket(r.rows[0]);
    },
    async escalate(id, fromLevel, deadlineAt) {
      const r = await c.q.query(
        `UPDATE ${t} SET escalation_level = escalation_level + 1, deadline_at = $3
         WHERE id = $1 AND status = 'pending' AND escalation_level = $2 RETURNING ${COLUMNS}`,
        [id, fromLevel, deadlineAt],
      );
      return r.rows[0] === undefined ? undefined : toTicket(r.rows[0]);
    },
    async denyPendingWhere(filter, decidedBy, reason, now) {
      const values: unknown[] = [decidedBy, reason, now];
      const any: string[] = [];
      if (filter.all) any.push("TRUE");
      if (filter.sessionId !== undefined) any.push(`session_id = $${values.push(filter.sessionId)}`);
      if (filter.agentId !== undefined) {
        const a = `$${values.push(filter.agentId)}`;
        any.push(`EXISTS (SELECT 1 FROM ${proposals} p WHERE p.id = ${t}.proposal_id AND p.agent_id = ${a})`);
        any.push(`EXISTS (SELECT 1 FROM ${sessions} s WHERE s.id = ${t}.session_id AND s.agent_id = ${a})`);
      }
      if (any.length === 0) return [];
      const r = await c.q.query(
        `UPDATE ${t} SET status = 'denied', decided_by = $1, reason = $2, decided_at = $3
         WHERE status = 'pending' AND (${any.join(" OR ")}) RETURNING ${COLUMNS}, pos`,
        values,
      );
      return sorted(r.rows);
    },
    async consumeScope(q) {
      const values = [q.sessionId, q.action, q.resourceId, q.cost, q.now];
      const match = `session_id = $1 AND status = 'approved' AND ${COVERS}`;
      // Fast path: no covering scope, or the first one has no use limit (nothing to race for).
      const first = await c.q.query(
        `SELECT ${COLUMNS} FROM ${t} WHERE ${match} ORDER BY created_at, pos LIMIT 1`,
        values,
      );
      const found = first.rows[0] === undefined ? undefined : toTicket(first.rows[0]);
      if (found === undefined || found.scope?.remaining === null) return found;
      const r = await c.q.query(
        `UPDATE ${t} SET scope = CASE WHEN scope->>'remaining' IS NULL THEN scope
           ELSE jsonb_set(scope, '{remaining}', to_jsonb((scope->>'remaining')::bigint - 1)) END
         FROM (SELECT id AS pick_id FROM ${t} WHERE ${match} ORDER BY created_at, pos LIMIT 1 FOR UPDATE) pick
         WHERE id = pick.pick_id RETURNING ${COLUMNS}`,
        values,
      );
      return r.rows[0] === undefined ? undefined : toTicket(r.rows[0]);
    },
    async list(q) {
      return (await listNewestFirst(c, t, COLUMNS, q)).map(toTicket);
    },
    async listDue(now, limit) {
      const r = await c.q.query(
        `SELECT ${COLUMNS} FROM ${t} WHERE status = 'pending' AND deadline_at <= $1
         ORDER BY deadline_at, pos LIMIT $2${c.write ? " FOR UPDATE SKIP LOCKED" : ""}`,
        [now, limit],
      );
      return r.rows.map(toTicket);
    },
    async countPending() {
      const r = await c.q.query(`SELECT count(*) AS n FROM ${t} WHERE status = 'pending'`);
      return num(r.rows[0]?.n ?? 0);
    },
  };
}
