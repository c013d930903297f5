import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { ProposalRecord, ProposalStatus } from "../../types/proposal-record.js";
import type { ProposalStore } from "../storage.js";
import { type MemoryState, pageNewestFirst, readCopy, storedCopy } from "./memory-state.js";

/** The newest proposal of a session with this fingerprint and one of `statuses`, as a copy. */
export function latestByFingerprint(
  s: MemoryState,
  sessionId: string,
  fingerprint: string,
  statuses: readonly ProposalStatus[],
): ProposalRecord | undefined {
  const ids = s.proposalsByFingerprint.get(sessionId)?.get(fingerprint);
  if (ids === undefined) return undefined;
  for (let i = ids.length - 1; i >= 0; i--) {
    const p = s.proposals.get(ids[i]!);
    if (p && statuses.includes(p.status)) return readCopy(p);
  }
  return undefined;
}

/** Memory implementation of {@link ProposalStore}. */
export function memoryProposals(s: MemoryState): ProposalStore {
  return {
    async insert(proposal) {
      s.assertWritable();
      if (s.proposals.has(proposal.id))
        throw new ControlPlaneError("conflict", `proposal ${proposal.id} already exists`);
      if (!s.sessions.has(proposal.sessionId)) {
        throw new ControlPlaneError("not_found", `session ${proposal.sessionId} not found`);
      }
      s.add(s.proposals, proposal.id, storedCopy(proposal));
      let bySession = s.proposalsByFingerprint.get(proposal.sessionId);
      if (!bySession) {
        bySession = new Map();
        s.add(s.proposalsByFingerprint, proposal.sessionId, bySession);
      }
      const ids = bySession.get(proposal.fingerprint);
      if (ids) s.push(ids, proposal.id);
      else s.add(bySession, proposal.fingerprint, [proposal.id]);
    },
    async get(id) {
      return readCopy(s.proposals.get(id));
    },
    async transition(id, from, patch) {
      s.assertWritable();
      const prev = s.proposals.get(id);
      if (!prev || !from.includes(prev.status)) return undefined;
      const next: ProposalRecord = { ...prev, ...patch };
      s.put(s.proposals, id, next);
      return next;
    },
    async findByFingerprint(sessionId, fingerprint, statuses) {
      return latestByFingerprint(s, sessionId, fingerprint, statuses);
    },
    async list(q) {
      const rows = [...s.proposals.values()].filter(
        (p) =>
          (q.sessionId === undefined || p.sessionId === q.sessionId) &&
          (q.statuses === undefined || q.statuses.includes(p.status)),
      );
      return pageNewestFirst(rows, q.limit, q.offset).map(readCopy);
    },
    async countWithStatus(status) {
      let n = 0;
      for (const p of s.proposals.values()) if (p.status === status) n++;
      return n;
    },
  };
}
