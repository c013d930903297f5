import { auditChainSwitch, linkEvent } from "../../engines/audit/chain-link.js";
import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { EventRecord } from "../../types/event.js";
import type { EventStore } from "../storage.js";
import { frozenJson, type MemoryState, readCopy, type SessionLog } from "./memory-state.js";

const NO_EVENTS: readonly EventRecord[] = [];

/** Memory implementation of {@link EventStore}. */
export function memoryEvents(s: MemoryState): EventStore {
  return {
    async append(e) {
      s.assertWritable();
      const sessionId = e.sessionId;
      const session = sessionId === null ? undefined : s.sessions.get(sessionId);
      if (sessionId !== null && !session)
        throw new ControlPlaneError("not_found", `session ${sessionId} not found`);
      const id = s.nextEventId;
      // A fresh record whose only nested part, the payload, is stored as a frozen copy.
      const record: EventRecord = {
        id,
        sessionId,
        seq: session ? session.lastSeq + 1 : null,
        kind: e.kind,
        agentId: e.agentId ?? null,
        proposalId: e.proposalId ?? null,
        ticketId: e.ticketId ?? null,
        payload: frozenJson(e.payload),
        at: e.at,
      };
      if (!session) {
        s.nextEventId = id + 1;
        s.events.push(record);
        s.undo!.push(() => {
          s.events.pop();
          s.nextEventId = id;
        });
        return readCopy(record);
      }
      const existing = s.sessionLogs.get(session.id);
      const head = existing?.head ?? null;
      // The chain link from the session's head (computed before any change: it throws on a value JSON cannot
      // hold), advanced in the same (undoable) transaction.
      const link = auditChainSwitch.enabled ? linkEvent(head, record) : null;
      const log: SessionLog = existing ?? { events: [], links: [], head: null };
      if (existing === undefined) s.sessionLogs.set(session.id, log);
      s.nextEventId = id + 1;
      s.events.push(record);
      log.events.push(record);
      log.links.push(link);
      if (link !== null) log.head = link;
      // A fresh flat record: nothing to copy.
      s.sessions.set(session.id, { ...session, lastSeq: record.seq! });
      // One undo step for the whole append.
      s.undo!.push(() => {
        s.sessions.set(session.id, session);
        if (existing === undefined) s.sessionLogs.delete(session.id);
        log.events.pop();
        log.links.pop();
        log.head = head;
        s.events.pop();
        s.nextEventId = id;
      });
      return readCopy(record);
    },
    async list(sessionId, q) {
      const list = s.sessionLogs.get(sessionId)?.events ?? NO_EVENTS;
      const afterSeq = q.afterSeq ?? 0;
      // seq n sits at index n - 1 (gap-free), so the page starts right after `afterSeq`.
      return list.slice(afterSeq, afterSeq + q.limit).map(readCopy);
    },
    async chain(sessionId, q) {
      const log = s.sessionLogs.get(sessionId);
      if (!log) return [];
      const from = q.afterSeq ?? 0;
      const to = Math.max(from, Math.min(q.upToSeq, from + q.limit, log.events.length));
      const out = [];
      for (let i = from; i < to; i++) out.push({ event: readCopy(log.events[i]!), chainHash: log.links[i]! });
      return out;
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
        link: s.sessionLogs.get(id)?.head ?? null,
      }));
    },
    async feed(q) {
      const afterId = q.afterId ?? 0;
      if (q.sessionId !== undefined) {
        const list = s.sessionLogs.get(q.sessionId)?.events ?? NO_EVENTS;
        // ids ascend along a session's events: skip to the first one after `afterId`.
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (list[mid]!.id <= afterId) lo = mid + 1;
          else hi = mid;
        }
        return list.slice(lo, lo + q.limit).map(readCopy);
      }
      // ids are 1..n in insertion order.
      return s.events.slice(afterId, afterId + q.limit).map(readCopy);
    },
  };
}
