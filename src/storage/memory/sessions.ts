import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { SessionRecord, SessionStatus } from "../../types/session.js";
import { SESSION_STATUSES } from "../../types/session.js";
import type { SessionFilter, SessionStore } from "../storage.js";
import { type MemoryState, pageNewestFirst, readCopy } from "./memory-state.js";

/** Memory implementation of {@link SessionStore}. */
export function memorySessions(s: MemoryState): SessionStore {
  const update = (prev: SessionRecord, patch: Partial<SessionRecord>): SessionRecord => {
    const next = { ...prev, ...patch };
    s.put(s.sessions, prev.id, next);
    return next;
  };
  const matches = (r: SessionRecord, f: SessionFilter) =>
    f.statuses.includes(r.status) &&
    (f.agentId === undefined || r.agentId === f.agentId) &&
    (f.sessionId === undefined || r.id === f.sessionId);
  return {
    async insert(session) {
      s.assertWritable();
      if (s.sessions.has(session.id))
        throw new ControlPlaneError("conflict", `session ${session.id} already exists`);
      s.put(s.sessions, session.id, session);
    },
    async get(id) {
      return readCopy(s.sessions.get(id));
    },
    async transition(id, from, to, reason, now) {
      s.assertWritable();
      const prev = s.sessions.get(id);
      if (!prev || !from.includes(prev.status)) return undefined;
      return update(prev, { status: to, statusReason: reason, updatedAt: now });
    },
    async transitionWhere(filter, to, reason, now) {
      s.assertWritable();
      const changed: string[] = [];
      for (const r of s.sessions.values()) {
        if (!matches(r, filter)) continue;
        update(r, { status: to, statusReason: reason, updatedAt: now });
        changed.push(r.id);
      }
      return changed;
    },
    async reserveBudget(id, cost, actions, now) {
      s.assertWritable();
      const prev = s.sessions.get(id);
      if (!prev) return undefined;
      const usedCost = prev.usedCost + cost;
      const usedActions = prev.usedActions + actions;
      if (prev.maxCost !== null && usedCost > prev.maxCost) return undefined;
      if (prev.maxActions !== null && usedActions > prev.maxActions) return undefined;
      return update(prev, { usedCost, usedActions, updatedAt: now });
    },
    async adjustBudget(id, costDelta, actionsDelta, now) {
      s.assertWritable();
      const prev = s.sessions.get(id);
      if (!prev) return undefined;
      return update(prev, {
        usedCost: Math.max(0, prev.usedCost + costDelta),
        usedActions: Math.max(0, prev.usedActions + actionsDelta),
        updatedAt: now,
      });
    },
    async list(q) {
      const rows = [...s.sessions.values()].filter(
        (r) =>
          (q.statuses === undefined || q.statuses.includes(r.status)) &&
          (q.agentId === undefined || r.agentId === q.agentId),
      );
      return pageNewestFirst(rows, q.limit, q.offset).map(readCopy);
    },
    async countByStatus() {
      const counts = Object.fromEntries(SESSION_STATUSES.map((st) => [st, 0])) as Record<
        SessionStatus,
        number
      >;
      for (const r of s.sessions.values()) counts[r.status]++;
      return counts;
    },
    async budgetUsed() {
      let cost = 0;
      let actions = 0;
      for (const r of s.sessions.values()) {
        cost += r.usedCost;
        actions += r.usedActions;
      }
      return { cost, actions };
    },
  };
}
