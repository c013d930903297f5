import type { AgentStore } from "../storage.js";
import { type MemoryState, readCopy, storedCopy } from "./memory-state.js";

/** Memory implementation of {@link AgentStore}. */
export function memoryAgents(s: MemoryState): AgentStore {
  return {
    async upsert(agent) {
      s.assertWritable();
      const prev = s.agents.get(agent.id);
      const stored = prev ? { ...agent, createdAt: prev.createdAt } : agent;
      s.put(s.agents, agent.id, stored);
      return stored;
    },
    async get(id) {
      return readCopy(s.agents.get(id));
    },
    async list(q) {
      const tags = q.tags ?? [];
      const rows = [...s.agents.values()]
        .filter((a) => tags.length === 0 || a.tags.some((t) => tags.includes(t)))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const offset = q.offset ?? 0;
      return rows.slice(offset, offset + q.limit).map(readCopy);
    },
    async any() {
      return s.agents.size > 0;
    },
    async insertDelegation(delegation) {
      s.assertWritable();
      s.push(s.delegations, storedCopy(delegation));
    },
    async findDelegation(from, to, sessionId) {
      const delegator = s.agents.get(from);
      const delegation = s.delegations.find(
        (d) =>
          d.fromAgentId === from && d.toAgentId === to && (d.sessionId === null || d.sessionId === sessionId),
      );
      if (!delegator || !delegation) return undefined;
      // Copies: the caller may not change stored state through them.
      return {
        delegation: { ...delegation },
        delegator: { ...delegator, capabilities: [...delegator.capabilities], tags: [...delegator.tags] },
      };
    },
    async listDelegations(q) {
      return s.delegations
        .filter((d) => q.agentId === undefined || d.fromAgentId === q.agentId || d.toAgentId === q.agentId)
        .slice(0, q.limit)
        .map(readCopy);
    },
  };
}
