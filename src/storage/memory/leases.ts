import type { LeaseStore } from "../storage.js";
import { type MemoryState, readCopy } from "./memory-state.js";

/** Memory implementation of {@link LeaseStore}. */
export function memoryLeases(s: MemoryState): LeaseStore {
  const store: LeaseStore = {
    async acquire(lease, now) {
      return (await store.acquireDisplacing(lease, now)).acquired;
    },
    async acquireDisplacing(lease, now) {
      s.assertWritable();
      const held = s.leases.get(lease.key);
      if (held && held.owner !== lease.owner && held.expiresAt > now) return { acquired: false };
      s.put(
        s.leases,
        lease.key,
        held && held.owner === lease.owner ? { ...lease, acquiredAt: held.acquiredAt } : lease,
      );
      return { acquired: true, displaced: held && held.owner !== lease.owner ? { ...held } : undefined };
    },
    async renew(key, owner, expiresAt, now) {
      s.assertWritable();
      const held = s.leases.get(key);
      if (!held || held.owner !== owner || held.expiresAt <= now) return false;
      s.put(s.leases, key, { ...held, expiresAt });
      return true;
    },
    async release(key, owner) {
      s.assertWritable();
      const held = s.leases.get(key);
      if (!held || held.owner !== owner) return false;
      s.delete(s.leases, key);
      return true;
    },
    async releaseExpired(key, owner, now) {
      s.assertWritable();
      const held = s.leases.get(key);
      if (!held || held.owner !== owner || held.expiresAt > now) return false;
      s.delete(s.leases, key);
      return true;
    },
    async get(key) {
      return readCopy(s.leases.get(key));
    },
    async releaseForSession(sessionId) {
      s.assertWritable();
      let n = 0;
      for (const l of [...s.leases.values()]) {
        if (l.sessionId !== sessionId) continue;
        s.delete(s.leases, l.key);
        n++;
      }
      return n;
    },
    async listExpired(now, limit) {
      return [...s.leases.values()]
        .filter((l) => l.expiresAt <= now)
        .sort((a, b) => a.expiresAt - b.expiresAt)
        .slice(0, limit)
        .map(readCopy);
    },
    async countLive(keyPrefix, now) {
      let n = 0;
      for (const l of s.leases.values()) if (l.key.startsWith(keyPrefix) && l.expiresAt > now) n++;
      return n;
    },
  };
  return store;
}
