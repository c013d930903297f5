import type { DecisionContext, DecisionContextQuery, StorageTx } from "./storage.js";

/**
 * {@link StorageTx.decisionContext} composed of the single-entity reads — for adapters where a call costs no
 * round trip (memory, SQLite). Its result is the reference the combined queries of other adapters must match.
 */
export async function composeDecisionContext(
  tx: Omit<StorageTx, "decisionContext" | "notify">,
  q: DecisionContextQuery,
): Promise<DecisionContext> {
  const session = await tx.sessions.get(q.sessionId);
  const agentId = q.agentId ?? session?.agentId ?? null;
  const agent = agentId === null ? undefined : await tx.agents.get(agentId);
  const anyAgent = agent !== undefined || (await tx.agents.any());
  if (session === undefined)
    return { session, agentId, agent, anyAgent, killSwitch: undefined, retry: undefined };
  const agents = [agentId, session.agentId].filter((id): id is string => id !== null);
  const killSwitch = await tx.killSwitches.findEngaged(q.sessionId, agents);
  const retry = await tx.proposals.findByFingerprint(q.sessionId, q.fingerprint, q.retryStatuses);
  return { session, agentId, agent, anyAgent, killSwitch, retry };
}
