import type { KillScope, KillSwitchRecord } from "../../types/kill-switch.js";
import type { KillSwitchStore } from "../storage.js";
import { type MemoryState, readCopy } from "./memory-state.js";

const key = (scope: KillScope, target: string) => `${scope}\u0000${target}`;

/**
 * The engaged kill switch covering a session or one of `agentIds` (global first, then the session's, then the
 * agents'), as a copy; `undefined` when none is.
 */
export function engagedKillSwitch(
  s: MemoryState,
  sessionId: string,
  agentIds: readonly string[],
): KillSwitchRecord | undefined {
  if (s.killSwitches.size === 0) return undefined;
  const found =
    engaged(s, key("global", "")) ??
    engaged(s, key("session", sessionId)) ??
    agentIds.map((a) => engaged(s, key("agent", a))).find((r) => r !== undefined);
  return found === undefined ? undefined : readCopy(found);
}

function engaged(s: MemoryState, k: string): KillSwitchRecord | undefined {
  const r = s.killSwitches.get(k);
  return r?.engaged ? r : undefined;
}

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
      return engagedKillSwitch(s, sessionId, agentIds);
    },
    async list(q) {
      return [...s.killSwitches.values()].filter((r) => !q.engagedOnly || r.engaged).map(readCopy);
    },
  };
}
