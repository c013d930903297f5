import type { DecisionContext, DecisionContextQuery } from "../storage.js";
import { AGENT_COLUMNS, toAgent } from "./agents.js";
import type { PgTables, PgTxContext } from "./context.js";
import { KILL_SWITCH_COLUMNS, toKillSwitch } from "./kill-switches.js";
import { PROPOSAL_COLUMNS, toProposal } from "./proposals.js";
import { SESSION_COLUMNS, toSession } from "./sessions.js";

/**
 * {@link StorageTx.decisionContext} in ONE round trip: the session, the acting agent (the query's, else the
 * session owner), whether any agent is registered, the engaged kill switch (global > session > agent, the
 * agent switch of the acting agent or of the session's owner) and the
 * newest pending/approved predecessor with the same fingerprint — each subquery the same SQL as the
 * single-entity read it replaces, each row as JSON mapped by the same mapper. Runs after the kill fence is
 * held shared (taken with BEGIN, or here for a host's transaction): see `killFence`.
 */
export async function pgDecisionContext(c: PgTxContext, q: DecisionContextQuery): Promise<DecisionContext> {
  if (!c.fenced && c.write) {
    // A host's transaction (no BEGIN of ours): take the kill fence in its own statement, so the read below
    // gets a snapshot taken after any kill that held it has committed.
    await c.q.query(c.fence.shared);
    c.fenced = true;
  }
  const r = await c.q.query(decisionContextSql(c.t), decisionContextValues(q));
  return toDecisionContext(r.rows[0] as Record<string, unknown>);
}

/**
 * The one-query decision read over `t` ($1 session id, $2 agent id, $3 fingerprint, $4 retry statuses), with
 * `extra` select-list items appended (e.g. the speculative snapshot's idempotency record).
 */
export function decisionContextSql(t: PgTables, extra = ""): string {
  const { sessions, agents, killSwitches, proposals } = t;
  return `WITH s AS (SELECT ${SESSION_COLUMNS} FROM ${sessions} WHERE id = $1),
          actor AS (SELECT COALESCE($2::text, (SELECT agent_id FROM s)) AS id)
     SELECT
       (SELECT row_to_json(s) FROM s) AS session,
       (SELECT id FROM actor) AS agent_id,
       (SELECT row_to_json(a) FROM (SELECT ${AGENT_COLUMNS} FROM ${agents} WHERE id = (SELECT id FROM actor)) a) AS agent,
       EXISTS (SELECT 1 FROM ${agents}) AS any_agent,
       (SELECT row_to_json(k) FROM (
          SELECT ${KILL_SWITCH_COLUMNS} FROM ${killSwitches}
          WHERE EXISTS (SELECT 1 FROM s) AND engaged AND ((scope = 'global' AND target = '')
            OR (scope = 'session' AND target = $1) OR (scope = 'agent' AND target IN ((SELECT id FROM actor), (SELECT agent_id FROM s))))
          ORDER BY CASE scope WHEN 'global' THEN 0 WHEN 'session' THEN 1 ELSE 2 END LIMIT 1) k) AS kill_switch,
       (SELECT row_to_json(p) FROM (
          SELECT ${PROPOSAL_COLUMNS} FROM ${proposals}
          WHERE EXISTS (SELECT 1 FROM s) AND session_id = $1 AND fingerprint = $3 AND status = ANY($4::text[])
          ORDER BY pos DESC LIMIT 1) p) AS retry${extra}`;
}

/** The parameters of {@link decisionContextSql} for `q`. */
export function decisionContextValues(q: DecisionContextQuery): unknown[] {
  return [q.sessionId, q.agentId, q.fingerprint, q.retryStatuses];
}

/** Maps the row of {@link decisionContextSql}. */
export function toDecisionContext(row: Record<string, unknown>): DecisionContext {
  const obj = (v: unknown) => (v === null || v === undefined ? undefined : (v as Record<string, unknown>));
  const session = obj(row.session);
  const agent = obj(row.agent);
  const kill = obj(row.kill_switch);
  const retry = obj(row.retry);
  return {
    session: session && toSession(session),
    agentId: (row.agent_id as string | null) ?? null,
    agent: agent && toAgent(agent),
    anyAgent: row.any_agent === true,
    killSwitch: kill && toKillSwitch(kill),
    retry: retry && toProposal(retry),
  };
}
