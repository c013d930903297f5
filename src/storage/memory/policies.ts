import type { PolicyStore } from "../storage.js";
import { type MemoryState, readCopy } from "./memory-state.js";

/** Memory implementation of {@link PolicyStore}. */
export function memoryPolicies(s: MemoryState): PolicyStore {
  return {
    async put(snapshot) {
      s.assertWritable();
      if (!s.policies.has(snapshot.id)) s.put(s.policies, snapshot.id, snapshot);
    },
    async get(id) {
      return readCopy(s.policies.get(id));
    },
  };
}
