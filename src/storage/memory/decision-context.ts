import type { DecisionContext, DecisionContextQuery } from "../storage.js";
import { engagedKillSwitch } from "./kill-switches.js";
import { type MemoryState, readCopy } from "./memory-state.js";
import { latestByFingerprint } from "./proposals.js";

/**
 * Memory implementation of `StorageTx.decisionContext`: the reads of `composeDecisionContext` (the reference)
 * done directly on the state, in one step instead of one awaited store call each.
 */
export function memoryDecisionContext(s: MemoryState): (q: DecisionContextQuery) => Promise<DecisionContext> {
  return async (q) => {
    const session = readCopy(s.sessions.get(q.sessionId));
    const agentId = q.agentId ?? session?.agentId ?? null;
    const agent = agentId === null ? undefined : readCopy(s.agents.get(agentId));
    const anyAgent = agent !== undefined || s.agents.size > 0;
    if (session === undefined)
      return { session, agentId, agent, anyAgent, killSwitch: undefined, retry: undefined };
    const agents: string[] = [];
    if (agentId !== null) agents.push(agentId);
    if (session.agentId !== null) agents.push(session.agentId);
    const killSwitch = engagedKillSwitch(s, q.sessionId, agents);
    const retry = latestByFingerprint(s, q.sessionId, q.fingerprint, q.retryStatuses);
    return { session, agentId, agent, anyAgent, killSwitch, retry };
  };
}
