import type { AgentRecord, DelegationRecord } from "../../types/agent.js";
import type { AgentStore } from "../storage.js";
import type { SqlConnection, SqlRow, SqlValues } from "./driver.js";
import { fromJson, runSql, str, toJson } from "./sql-run.js";

const toAgent = (r: SqlRow): AgentRecord => ({
  id: String(r.id),
  name: String(r.name),
  capabilities: fromJson<string[]>(r.capabilities),
  tags: fromJson<string[]>(r.tags),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** The select list of an agent row, in the order {@link agentOf} reads it. */
export const AGENT_COLUMNS = "id, name, capabilities, tags, created_at, updated_at";

/** Maps an `acp_agents` row read as values in {@link AGENT_COLUMNS} order, starting at `v[at]`. */
export const agentOf = (v: SqlValues, at: number): AgentRecord => ({
  id: String(v[at]),
  name: String(v[at + 1]),
  capabilities: fromJson<string[]>(v[at + 2]),
  tags: fromJson<string[]>(v[at + 3]),
  createdAt: Number(v[at + 4]),
  updatedAt: Number(v[at + 5]),
});

const toDelegation = (r: SqlRow): DelegationRecord => ({
  id: String(r.id),
  fromAgentId: String(r.from_agent_id),
  toAgentId: String(r.to_agent_id),
  sessionId: str(r.session_id),
  task: String(r.task),
  createdAt: Number(r.created_at),
});

/** SQLite implementation of {@link AgentStore}. */
export function sqliteAgents(conn: SqlConnection): AgentStore {
  const get = async (id: string): Promise<AgentRecord | undefined> => {
    const { rows } = await runSql(conn, "SELECT * FROM acp_agents WHERE id = ?", [id]);
    return rows[0] ? toAgent(rows[0]) : undefined;
  };
  return {
    async upsert(a) {
      // One statement: insert, or replace every field but created_at.
      const { rows } = await runSql(
        conn,
        `INSERT INTO acp_agents (id, name, capabilities, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, capabilities = excluded.capabilities,
           tags = excluded.tags, updated_at = excluded.updated_at
         RETURNING *`,
        [a.id, a.name, toJson(a.capabilities), toJson(a.tags), a.createdAt, a.updatedAt],
      );
      return toAgent(rows[0]!);
    },
    get,
    async list(q) {
      const tags = q.tags ?? [];
      const { rows } =
        tags.length === 0
          ? await runSql(conn, "SELECT * FROM acp_agents ORDER BY id LIMIT ? OFFSET ?", [
              q.limit,
              q.offset ?? 0,
            ])
          : await runSql(
              conn,
              `SELECT * FROM acp_agents a
               WHERE EXISTS (SELECT 1 FROM json_each(a.tags) t WHERE t.value IN (SELECT value FROM json_each(?)))
               ORDER BY id LIMIT ? OFFSET ?`,
              [toJson(tags), q.limit, q.offset ?? 0],
            );
      return rows.map(toAgent);
    },
    async any() {
      const { rows } = await runSql(conn, "SELECT EXISTS (SELECT 1 FROM acp_agents) AS found");
      return Number(rows[0]?.found ?? 0) === 1;
    },
    async insertDelegation(d) {
      await runSql(
        conn,
        `INSERT INTO acp_delegations (id, from_agent_id, to_agent_id, session_id, task, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [d.id, d.fromAgentId, d.toAgentId, d.sessionId, d.task, d.createdAt],
        { conflict: `delegation ${d.id} already exists` },
      );
    },
    async findDelegation(from, to, sessionId) {
      const { rows } = await runSql(
        conn,
        `SELECT * FROM acp_delegations
         WHERE from_agent_id = ? AND to_agent_id = ? AND (session_id IS NULL OR session_id = ?)
         ORDER BY created_at, rowid LIMIT 1`,
        [from, to, sessionId],
      );
      if (rows[0] === undefined) return undefined;
      const delegator = await get(from);
      return delegator ? { delegation: toDelegation(rows[0]), delegator } : undefined;
    },
    async listDelegations(q) {
      const { rows } =
        q.agentId === undefined
          ? await runSql(conn, "SELECT * FROM acp_delegations ORDER BY created_at, rowid LIMIT ?", [q.limit])
          : await runSql(
              conn,
              `SELECT * FROM acp_delegations WHERE from_agent_id = ? OR to_agent_id = ?
               ORDER BY created_at, rowid LIMIT ?`,
              [q.agentId, q.agentId, q.limit],
            );
      return rows.map(toDelegation);
    },
  };
}
