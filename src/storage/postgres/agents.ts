import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { AgentRecord, DelegationRecord } from "../../types/agent.js";
import type { AgentStore } from "../storage.js";
import { num, type PgTxContext, parseJson, textOrNull } from "./context.js";

const COLUMNS = "id, name, capabilities::text AS capabilities, tags::text AS tags, created_at, updated_at";

function toAgent(r: Record<string, unknown>): AgentRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    capabilities: parseJson<string[]>(r.capabilities),
    tags: parseJson<string[]>(r.tags),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

function toDelegation(r: Record<string, unknown>): DelegationRecord {
  return {
    id: r.id as string,
    fromAgentId: r.from_agent_id as string,
    toAgentId: r.to_agent_id as string,
    sessionId: textOrNull(r.session_id),
    task: r.task as string,
    createdAt: num(r.created_at),
  };
}

/**
 * PostgreSQL implementation of {@link AgentStore}. `upsert` is one `INSERT … ON CONFLICT DO UPDATE` that keeps
 * `created_at`; ids sort in code-point order (`COLLATE "C"`), like the memory adapter.
 */
export function pgAgents(c: PgTxContext): AgentStore {
  const { agents, delegations } = c.t;
  return {
    async upsert(a) {
      const r = await c.q.query(
        `INSERT INTO ${agents} (id, name, capabilities, tags, created_at, updated_at)
         VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, capabilities = EXCLUDED.capabilities,
           tags = EXCLUDED.tags, updated_at = EXCLUDED.updated_at
         RETURNING ${COLUMNS}`,
        [a.id, a.name, JSON.stringify(a.capabilities), JSON.stringify(a.tags), a.createdAt, a.updatedAt],
      );
      return toAgent(r.rows[0]!);
    },
    async get(id) {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${agents} WHERE id = $1`, [id]);
      return r.rows[0] === undefined ? undefined : toAgent(r.rows[0]);
    },
    async list(q) {
      const tags = q.tags ?? [];
      const values: unknown[] = [q.limit, q.offset ?? 0];
      const where = tags.length > 0 ? `WHERE jsonb_exists_any(tags, $${values.push(tags)}::text[])` : "";
      const r = await c.q.query(
        `SELECT ${COLUMNS} FROM ${agents} ${where} ORDER BY id LIMIT $1 OFFSET $2`,
        values,
      );
      return r.rows.map(toAgent);
    },
    async any() {
      const r = await c.q.query(`SELECT EXISTS (SELECT 1 FROM ${agents}) AS found`);
      return r.rows[0]?.found === true;
    },
    async insertDelegation(d) {
      const r = await c.q.query(
        `INSERT INTO ${delegations} (id, from_agent_id, to_agent_id, session_id, task, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [d.id, d.fromAgentId, d.toAgentId, d.sessionId, d.task, d.createdAt],
      );
      if (r.rows.length === 0) throw new ControlPlaneError("conflict", `delegation ${d.id} already exists`);
    },
    async findDelegation(from, to, sessionId) {
      // One round trip: the oldest covering delegation joined with its delegator's current record.
      const r = await c.q.query(
        `SELECT d.id AS d_id, d.from_agent_id, d.to_agent_id, d.session_id, d.task, d.created_at AS d_created_at,
           a.id, a.name, a.capabilities::text AS capabilities, a.tags::text AS tags, a.created_at, a.updated_at
         FROM ${delegations} d JOIN ${agents} a ON a.id = d.from_agent_id
         WHERE d.from_agent_id = $1 AND d.to_agent_id = $2 AND (d.session_id IS NULL OR d.session_id = $3)
         ORDER BY d.pos LIMIT 1`,
        [from, to, sessionId],
      );
      const row = r.rows[0];
      if (row === undefined) return undefined;
      return {
        delegation: toDelegation({ ...row, id: row.d_id, created_at: row.d_created_at }),
        delegator: toAgent(row),
      };
    },
    async listDelegations(q) {
      const r =
        q.agentId === undefined
          ? await c.q.query(
              `SELECT id, from_agent_id, to_agent_id, session_id, task, created_at FROM ${delegations}
               ORDER BY pos LIMIT $1`,
              [q.limit],
            )
          : await c.q.query(
              `SELECT id, from_agent_id, to_agent_id, session_id, task, created_at FROM ${delegations}
               WHERE from_agent_id = $2 OR to_agent_id = $2 ORDER BY pos LIMIT $1`,
              [q.limit, q.agentId],
            );
      return r.rows.map(toDelegation);
    },
  };
}

/** Column list and row mapper, shared with the combined decision read. @internal */
export { COLUMNS as AGENT_COLUMNS, toAgent };
