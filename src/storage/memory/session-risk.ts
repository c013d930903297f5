import type { SessionRiskStore } from "../session-risk-store.js";
import { type MemoryState, readCopy } from "./memory-state.js";

/** Memory implementation of {@link SessionRiskStore} (transactions are serialised: `lock` is a plain read). */
export function memorySessionRisk(s: MemoryState): SessionRiskStore {
  return {
    async lock(sessionId) {
      s.assertWritable();
      return readCopy(s.sessionRisk.get(sessionId))?.state;
    },
    async put(sessionId, state, now) {
      s.assertWritable();
      s.put(s.sessionRisk, sessionId, { sessionId, state, updatedAt: now });
    },
    async get(sessionId) {
      return readCopy(s.sessionRisk.get(sessionId));
    },
  };
}
