import { auditChainSwitch, linkEvent } from "../../engines/audit/chain-link.js";
import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { EventRecord } from "../../types/event.js";
import type { EventStore } from "../storage.js";
import { frozenJson, type MemoryState, readCopy } from "./memory-state.js";

/** Memory implementation of {@link EventStore}. */
export function memoryEvents(s: MemoryState): EventStore {
  return {
    async append(e) {
      s.assertWritable();
      let seq: number | null = null;
      if (e.sessionId !== null) {
        const session = s.sessions.get(e.sessionId);
        if (!session) throw new ControlPlaneError("not_found", `session ${e.sessionId} not found`);
        seq = session.lastSeq + 1;
        // A fresh flat record: nothing to copy.
        s.set(s.sessions, session.id, { ...session, lastSeq: seq });
      }
      const id = s.nextEventId++;
      if (s.undo) s.undo.push(() => void s.nextEventId--);
      // A fresh record whose only nested part, the payload, is stored as a frozen copy.
      const record: EventRecord = {
        id,
        sessionId: e.sessionId,
        seq,
        kind: e.kind,
        agentId: e.agentId ?? null,
        proposalId: e.proposalId ?? null,
        ticketId: e.ticketId ?? null,
        payload: frozenJson(e.payload),
        at: e.at,
      };
      s.push(s.events, record);
      if (e.sessionId !== null && auditChainSwitch.enabled) {
        // The chain link from the session's head, advanced in the same (undoable) transaction.
        const link = linkEvent(s.chainHeads.get(e.sessionId) ?? null, record);
        s.set(s.chainLinks, id, link);
        s.set(s.chainHeads, e.sessionId, link);
      }
      if (e.sessionId !== null) {
        let list = s.eventsBySession.get(e.sessionId);
        if (!list) {
          list = [];
          s.set(s.eventsBySession, e.sessionId, list);
        }
        s.push(list, record);
      }
      return readCopy(record);
    },
    async list(sessionId, q) {
      const list = s.eventsBySession.get(sessionId) ?? [];
      const afterSeq = q.afterSeq ?? 0;
      // seq n sits at index n - 1 (gap-free), so the page starts right after `afterSeq`.
      return list.slice(afterSeq, afterSeq + q.limit).map(readCopy);
    },
    async chain(sessionId, q) {
      const list = s.eventsBySession.get(sessionId) ?? [];
      return list
        .slice(q.afterSeq ?? 0, Math.max(q.afterSeq ?? 0, Math.min(q.upToSeq, (q.afterSeq ?? 0) + q.limit)))
        .map((e) => ({ event: readCopy(e), chainHash: s.chainLinks.get(e.id) ?? null }));
    },
    async chainHeads(q) {
      const ids =
        q.sessionId !== undefined
          ? s.sessions.has(q.sessionId)
            ? [q.sessionId]
            : []
          : [...s.sessions.keys()]
              .filter((id) => q.afterSessionId === undefined || id > q.afterSessionId)
              .sort();
      return ids.slice(0, q.limit).map((id) => ({
        sessionId: id,
        lastSeq: s.sessions.get(id)!.lastSeq,
        link: s.chainHeads.get(id) ?? null,
      }));
    },
    async feed(q) {
      const afterId = q.afterId ?? 0;
      if (q.sessionId !== undefined) {
        const list = s.eventsBySession.get(q.sessionId) ?? [];
        return list
          .filter((e) => e.id > afterId)
          .slice(0, q.limit)
          .map(readCopy);
      }
      // ids are 1..n in insertion order.
      return s.events.slice(afterId, afterId + q.limit).map(readCopy);
    },
  };
}
