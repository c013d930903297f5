import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { TicketRecord } from "../../types/ticket.js";
import { scopeCovers } from "../scope-covers.js";
import type { TicketFilter, TicketStore } from "../storage.js";
import { type MemoryState, pageNewestFirst, readCopy } from "./memory-state.js";

/** Memory implementation of {@link TicketStore}. */
export function memoryTickets(s: MemoryState): TicketStore {
  const inFilter = (t: TicketRecord, f: TicketFilter): boolean => {
    if (f.all) return true;
    if (f.sessionId !== undefined && t.sessionId === f.sessionId) return true;
    if (f.agentId !== undefined) {
      if (s.proposals.get(t.proposalId)?.agentId === f.agentId) return true;
      if (s.sessions.get(t.sessionId)?.agentId === f.agentId) return true;
    }
    return false;
  };
  return {
    async insert(ticket) {
      s.assertWritable();
      if (s.tickets.has(ticket.id))
        throw new ControlPlaneError("conflict", `ticket ${ticket.id} already exists`);
      s.put(s.tickets, ticket.id, ticket);
    },
    async get(id) {
      return readCopy(s.tickets.get(id));
    },
    async decide(id, d) {
      s.assertWritable();
      const prev = s.tickets.get(id);
      if (prev?.status !== "pending") return undefined;
      const next: TicketRecord = {
        ...prev,
        status: d.status,
        decidedBy: d.decidedBy,
        reason: d.reason,
        scope: d.scope,
        decidedAt: d.decidedAt,
      };
      s.put(s.tickets, id, next);
      return next;
    },
    async escalate(id, fromLevel, deadlineAt) {
      s.assertWritable();
      const prev = s.tickets.get(id);
      if (prev?.status !== "pending" || prev.escalationLevel !== fromLevel) return undefined;
      const next: TicketRecord = { ...prev, escalationLevel: fromLevel + 1, deadlineAt };
      s.put(s.tickets, id, next);
      return next;
    },
    async denyPendingWhere(filter, decidedBy, reason, now) {
      s.assertWritable();
      const changed: TicketRecord[] = [];
      for (const t of s.tickets.values()) {
        if (t.status !== "pending" || !inFilter(t, filter)) continue;
        const next: TicketRecord = { ...t, status: "denied", decidedBy, reason, decidedAt: now };
        s.put(s.tickets, t.id, next);
        changed.push(next);
      }
      return changed;
    },
    async consumeScope(q) {
      s.assertWritable();
      let found: TicketRecord | undefined;
      for (const t of s.tickets.values()) {
        if (t.sessionId === q.sessionId && t.status === "approved" && scopeCovers(t.scope, q)) {
          if (!found || t.createdAt < found.createdAt) found = t;
        }
      }
      if (!found?.scope) return undefined;
      if (found.scope.remaining === null) return readCopy(found);
      const next: TicketRecord = {
        ...found,
        scope: { ...found.scope, remaining: found.scope.remaining - 1 },
      };
      s.put(s.tickets, found.id, next);
      return next;
    },
    async list(q) {
      const rows = [...s.tickets.values()].filter(
        (t) =>
          (q.sessionId === undefined || t.sessionId === q.sessionId) &&
          (q.statuses === undefined || q.statuses.includes(t.status)),
      );
      return pageNewestFirst(rows, q.limit, q.offset).map(readCopy);
    },
    async listDue(now, limit) {
      return [...s.tickets.values()]
        .filter((t) => t.status === "pending" && t.deadlineAt <= now)
        .sort((a, b) => a.deadlineAt - b.deadlineAt)
        .slice(0, limit)
        .map(readCopy);
    },
    async countPending() {
      let n = 0;
      for (const t of s.tickets.values()) if (t.status === "pending") n++;
      return n;
    },
  };
}
