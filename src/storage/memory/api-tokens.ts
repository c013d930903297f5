import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { ApiTokenStore, StoredApiToken } from "../api-token-store.js";
import { type MemoryState, readCopy } from "./memory-state.js";

const isActive = (t: StoredApiToken, now: number) =>
  t.revokedAt === null && (t.expiresAt === null || t.expiresAt > now);

/** Memory implementation of {@link ApiTokenStore} (transactions are serialised, so every guard holds). */
export function memoryApiTokens(s: MemoryState): ApiTokenStore {
  const countActive = (now: number) => {
    let n = 0;
    for (const t of s.apiTokens.values()) if (isActive(t, now)) n++;
    return n;
  };
  const insert = (record: StoredApiToken) => {
    s.assertWritable();
    if (s.apiTokens.has(record.id))
      throw new ControlPlaneError("conflict", `token ${record.id} already exists`);
    for (const t of s.apiTokens.values()) {
      if (t.hash === record.hash)
        throw new ControlPlaneError("conflict", "a token with this hash already exists");
    }
    s.put(s.apiTokens, record.id, record);
  };
  return {
    async insert(record) {
      insert(record);
    },
    async insertIfNoneActive(record, now) {
      s.assertWritable();
      if (countActive(now) > 0) return false;
      insert(record);
      return true;
    },
    async findByHash(hash) {
      for (const t of s.apiTokens.values()) if (t.hash === hash) return readCopy(t);
      return undefined;
    },
    async get(id) {
      return readCopy(s.apiTokens.get(id));
    },
    async list() {
      // Maps keep insertion order (a replaced value keeps its place) and the sort is stable.
      return [...s.apiTokens.values()].sort((a, b) => a.createdAt - b.createdAt).map(readCopy);
    },
    async revoke(id, at) {
      s.assertWritable();
      const t = s.apiTokens.get(id);
      if (t === undefined || t.revokedAt !== null) return undefined;
      const updated = { ...t, revokedAt: at };
      s.put(s.apiTokens, id, updated);
      return readCopy(updated);
    },
    async countActive(now) {
      return countActive(now);
    },
  };
}
