import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { IdempotencyStore } from "../storage.js";
import { type MemoryState, readCopy } from "./memory-state.js";

/** Memory implementation of {@link IdempotencyStore}. */
export function memoryIdempotency(s: MemoryState): IdempotencyStore {
  return {
    async get(key) {
      return readCopy(s.idempotency.get(key));
    },
    async put(record) {
      s.assertWritable();
      if (s.idempotency.has(record.key)) {
        throw new ControlPlaneError(
          "conflict",
          `idempotency key ${JSON.stringify(record.key)} already recorded`,
        );
      }
      s.put(s.idempotency, record.key, record);
    },
  };
}
