import type { CheckpointStore } from "../checkpoint-store.js";
import { type MemoryState, readCopy } from "./memory-state.js";

/** Memory implementation of {@link CheckpointStore} (transactions are serialised, so the size guard holds). */
export function memoryCheckpoints(s: MemoryState): CheckpointStore {
  const bySize = () => [...s.checkpoints.values()].sort((a, b) => a.size - b.size);
  return {
    async insert(cp) {
      s.assertWritable();
      if (s.checkpoints.has(cp.size)) return false;
      s.put(s.checkpoints, cp.size, cp);
      return true;
    },
    async latest() {
      return readCopy(bySize().at(-1));
    },
    async list(q) {
      const after = q.afterSize ?? -1;
      return bySize()
        .filter((cp) => cp.size > after)
        .slice(0, q.limit)
        .map((cp) => ({ ...cp }));
    },
  };
}
