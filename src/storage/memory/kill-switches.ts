import type { KillScope, KillSwitchRecord } from "../../types/kill-switch.js";
import type { KillSwitchStore } from "../storage.js";
import { type MemoryState, readCopy } from "./memory-state.js";

const key = (scope: KillScope, target: string) => `${scope}\u0000${target}`;

/** Memory implementation of {@link KillSwitchStore}. */
export function memoryKillSwitches(s: MemoryState): KillSwitchStore {
  return {
    async engage(scope, target, reason, now, engagedBy = null) {
      s.assertWritable();
      const prev = s.killSwitches.get(key(scope, target));
      if (prev?.engaged) return { record: readCopy(prev), changed: false };
      const record: KillSwitchRecord = {
        scope,
        target,
        engaged: true,
        reason,
        engagedBy,
        engagedAt: now,
        releasedAt: null,
      };
      s.put(s.killSwitches, key(scope, target), record);
      return { record, changed: true };
    },
    async release(scope, target, now) {
      s.assertWritable();
      const prev = s.killSwitches.get(key(scope, target));
      if (!prev?.engaged) return undefined;
      const record: KillSwitchRecord = { ...prev, engaged: false, releasedAt: now };
      s.put(s.killSwitches, key(scope, target), record);
      return record;
    },
    async findEngaged(sessionId, agentIds) {
      if (s.killSwitches.size === 0) return undefined;
      const candidates = [
        key("global", ""),
        key("session", sessionId),
        ...agentIds.map((a) => key("agent", a)),
      ];
      for (const k of candidates) {
        const r = s.killSwitches.get(k);
        if (r?.engaged) return readCopy(r);
      }
      return undefined;
    },
    async list(q) {
      return [...s.killSwitches.values()].filter((r) => !q.engagedOnly || r.engaged).map(readCopy);
    },
  };
}
