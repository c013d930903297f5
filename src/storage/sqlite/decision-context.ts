import { composeDecisionContext } from "../decision-context.js";
import type { DecisionContext, DecisionContextQuery, StorageTx } from "../storage.js";
import { AGENT_COLUMNS, agentOf } from "./agents.js";
import type { ChainHeadCache } from "./chain-head-cache.js";
import type { SqlConnection } from "./driver.js";
import { SESSION_COLUMNS, sessionOf } from "./sessions.js";
import { inParams, runValues } from "./sql-run.js";

/** Statuses covered by the partial index `acp_proposals_fingerprint_open` (migration 2). */
const OPEN_STATUSES: ReadonlySet<string> = new Set(["approved", "pending_approval"]);

// Column positions in the combined row.
const CHAIN_HEAD = 13;
const ANY_AGENT = 14;
const ANY_ENGAGED = 15;
const AGENT = 16;
const RETRY = 22;

const contextSqls = new Map<number, string>();

/**
 * The session row (and its chain head), whether any agent is registered, whether any kill switch is engaged,
 * the acting agent's row and the id of the newest open predecessor with the fingerprint, in one statement.
 * Each part is the SQL of the single-entity read it replaces (the retry lookup keeps the literal `IN` of the
 * partial index; it returns only the id: a predecessor is rare, and then read whole by id).
 * Parameters: fingerprint, the `count` statuses, agent id, session id.
 */
function contextSql(count: number): string {
  let sql = contextSqls.get(count);
  if (!sql) {
    // Every column under its own alias: drivers that return keyed rows (Kysely) must not merge `s.id` and
    // `a.id` into one key.
    const list = (table: string, columns: string) =>
      columns.split(",").map((c, i) => `${table}.${c.trim()} AS ${table}${i}`);
    const session = list("s", SESSION_COLUMNS);
    const agent = list("a", AGENT_COLUMNS);
    sql = `SELECT ${session.join(", ")}, s.chain_head,
        EXISTS (SELECT 1 FROM acp_agents) AS any_agent,
        EXISTS (SELECT 1 FROM acp_kill_switches WHERE engaged = 1) AS any_engaged,
        ${agent.join(", ")},
        (SELECT id FROM acp_proposals
          WHERE session_id = s.id AND fingerprint = ? AND status IN ('approved', 'pending_approval')
            AND ${inParams("status", count)}
          ORDER BY rowid DESC LIMIT 1) AS retry_id
      FROM acp_sessions s
      LEFT JOIN acp_agents a ON a.id = COALESCE(?, s.agent_id)
      WHERE s.id = ?`;
    contextSqls.set(count, sql);
  }
  return sql;
}

/**
 * {@link StorageTx.decisionContext} on SQLite in one statement when a session exists and the predecessor
 * statuses are open ones (a decision's case); the engaged kill switch is looked up only when some switch is
 * engaged. Anything else is {@link composeDecisionContext}, the reference it matches. On the write connection
 * (`heads` given) it also records the session's `(last_seq, chain_head)` for the next append.
 */
export async function sqliteDecisionContext(
  conn: SqlConnection,
  stores: Omit<StorageTx, "decisionContext" | "notify">,
  q: DecisionContextQuery,
  heads?: ChainHeadCache,
): Promise<DecisionContext> {
  const statuses = q.retryStatuses;
  if (statuses.length === 0 || !statuses.every((st) => OPEN_STATUSES.has(st))) {
    return composeDecisionContext(stores, q);
  }
  const rows = await runValues(conn, contextSql(statuses.length), [
    q.fingerprint,
    ...statuses,
    q.agentId,
    q.sessionId,
  ]);
  const v = rows[0];
  if (v === undefined) return composeDecisionContext(stores, q);
  const session = sessionOf(v);
  heads?.set(session.id, { lastSeq: session.lastSeq, head: v[CHAIN_HEAD] as string | null });
  const agentId = q.agentId ?? session.agentId ?? null;
  const agent = v[AGENT] === null ? undefined : agentOf(v, AGENT);
  const anyAgent = agent !== undefined || Number(v[ANY_AGENT]) === 1;
  const killSwitch =
    Number(v[ANY_ENGAGED]) === 1
      ? await stores.killSwitches.findEngaged(
          q.sessionId,
          [agentId, session.agentId].filter((id): id is string => id !== null),
        )
      : undefined;
  const retry = v[RETRY] === null ? undefined : await stores.proposals.get(String(v[RETRY]));
  return { session, agentId, agent, anyAgent, killSwitch, retry };
}
