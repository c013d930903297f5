import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { SessionRecord, SessionStatus } from "../../types/session.js";
import { SESSION_STATUSES } from "../../types/session.js";
import type { SessionStore } from "../storage.js";
import { num, numOrNull, type PgTxContext, textOrNull } from "./context.js";

const COLUMNS =
  "id, name, agent_id, status, policy_id, max_cost, max_actions, used_cost, used_actions, last_seq, status_reason, created_at, updated_at";

function toSession(r: Record<string, unknown>): SessionRecord {
  return {
    id: r.id as string,
    name: textOrNull(r.name),
    agentId: textOrNull(r.agent_id),
    status: r.status as SessionStatus,
    policyId: r.policy_id as string,
    maxCost: numOrNull(r.max_cost),
    maxActions: numOrNull(r.max_actions),
    usedCost: num(r.used_cost),
    usedActions: num(r.used_actions),
    lastSeq: num(r.last_seq),
    statusReason: textOrNull(r.status_reason),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

/**
 * PostgreSQL implementation of {@link SessionStore}. Every guarded write is one `UPDATE … WHERE guard …
 * RETURNING`: under READ COMMITTED a concurrent writer waits for the row lock and then re-checks the guard
 * against the committed row, so limits and transitions hold across processes.
 */
export function pgSessions(c: PgTxContext): SessionStore {
  const t = c.t.sessions;
  const one = async (text: string, values: readonly unknown[]) => {
    const r = await c.q.query(text, values);
    return r.rows[0] === undefined ? undefined : toSession(r.rows[0]);
  };
  return {
    async insert(s) {
      const r = await c.q.query(
        `INSERT INTO ${t} (id, name, agent_id, status, policy_id, max_cost, max_actions, used_cost, used_actions,
           last_seq, status_reason, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING RETURNING id`,
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
      );
      if (r.rows.length === 0) throw new ControlPlaneError("conflict", `session ${s.id} already exists`);
    },
    get: (id) => one(`SELECT ${COLUMNS} FROM ${t} WHERE id = $1`, [id]),
    transition: (id, from, to, reason, now) =>
      one(
        `UPDATE ${t} SET status = $3, status_reason = $4, updated_at = $5
         WHERE id = $1 AND status = ANY($2::text[]) RETURNING ${COLUMNS}`,
        [id, from, to, reason, now],
      ),
    async transitionWhere(filter, to, reason, now) {
      const values: unknown[] = [filter.statuses, to, reason, now];
      let where = "status = ANY($1::text[])";
      if (filter.agentId !== undefined) where += ` AND agent_id = $${values.push(filter.agentId)}`;
      if (filter.sessionId !== undefined) where += ` AND id = $${values.push(filter.sessionId)}`;
      const r = await c.q.query(
        `UPDATE ${t} SET status = $2, status_reason = $3, updated_at = $4 WHERE ${where} RETURNING id, created_at, pos`,
        values,
      );
      return [...r.rows]
        .sort((a, b) => num(a.created_at) - num(b.created_at) || num(a.pos) - num(b.pos))
        .map((row) => row.id as string);
    },
    reserveBudget: (id, cost, actions, now) =>
      one(
        `UPDATE ${t} SET used_cost = used_cost + $2, used_actions = used_actions + $3, updated_at = $4
         WHERE id = $1 AND (max_cost IS NULL OR used_cost + $2 <= max_cost)
           AND (max_actions IS NULL OR used_actions + $3 <= max_actions)
         RETURNING ${COLUMNS}`,
        [id, cost, actions, now],
      ),
    adjustBudget: (id, costDelta, actionsDelta, now) =>
      one(
        `UPDATE ${t} SET used_cost = GREATEST(0, used_cost + $2), used_actions = GREATEST(0, used_actions + $3),
           updated_at = $4 WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, costDelta, actionsDelta, now],
      ),
    async list(q) {
      const values: unknown[] = [q.limit, q.offset ?? 0];
      const where: string[] = [];
      if (q.statuses !== undefined) where.push(`status = ANY($${values.push(q.statuses)}::text[])`);
      if (q.agentId !== undefined) where.push(`agent_id = $${values.push(q.agentId)}`);
      const r = await c.q.query(
        `SELECT ${COLUMNS} FROM ${t} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY created_at DESC, pos DESC LIMIT $1 OFFSET $2`,
        values,
      );
      return r.rows.map(toSession);
    },
    async countByStatus() {
      const counts = Object.fromEntries(SESSION_STATUSES.map((st) => [st, 0])) as Record<
        SessionStatus,
        number
      >;
      const r = await c.q.query(`SELECT status, count(*) AS n FROM ${t} GROUP BY status`);
      for (const row of r.rows) counts[row.status as SessionStatus] = num(row.n);
      return counts;
    },
    async budgetUsed() {
      const r = await c.q.query(
        `SELECT COALESCE(SUM(used_cost), 0) AS cost, COALESCE(SUM(used_actions), 0) AS actions FROM ${t}`,
      );
      return { cost: num(r.rows[0]?.cost ?? 0), actions: num(r.rows[0]?.actions ?? 0) };
    },
  };
}

/** Column list and row mapper, shared with the combined decision read. @internal */
export { COLUMNS as SESSION_COLUMNS, toSession };
