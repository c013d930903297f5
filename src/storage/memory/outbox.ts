import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { OutboxDelivery, OutboxStore } from "../outbox-store.js";
import { type MemoryState, readCopy } from "./memory-state.js";

const pairKey = (webhook: string, eventId: number) => `${webhook}\u0000${eventId}`;

/** Memory implementation of {@link OutboxStore} (transactions are serialised, so every guard holds). */
export function memoryOutbox(s: MemoryState): OutboxStore {
  const ordered = () =>
    [...s.outbox.values()]
      .map((d, i) => [d, i] as const)
      .sort((a, b) => a[0].createdAt - b[0].createdAt || a[1] - b[1])
      .map(([d]) => d);
  return {
    async cursor(name) {
      return s.outboxCursors.get(name);
    },
    async moveCursor(name, from, to) {
      s.assertWritable();
      if (s.outboxCursors.get(name) !== from) return false;
      s.set(s.outboxCursors, name, to);
      return true;
    },
    async enqueue(d) {
      s.assertWritable();
      if (s.outboxPairs.has(pairKey(d.webhook, d.eventId))) return false;
      if (s.outbox.has(d.id)) throw new ControlPlaneError("conflict", `delivery ${d.id} already exists`);
      const record: OutboxDelivery = {
        ...d,
        status: "pending",
        attempts: 0,
        nextAttemptAt: d.createdAt,
        leaseOwner: null,
        leaseExpiresAt: null,
        lastError: null,
        updatedAt: d.createdAt,
      };
      s.put(s.outbox, d.id, record);
      s.set(s.outboxPairs, pairKey(d.webhook, d.eventId), d.id);
      return true;
    },
    async claim({ owner, webhooks, now, leaseUntil, limit }) {
      s.assertWritable();
      const due = ordered()
        .filter(
          (d) =>
            d.status === "pending" &&
            webhooks.includes(d.webhook) &&
            d.nextAttemptAt <= now &&
            (d.leaseExpiresAt === null || d.leaseExpiresAt <= now),
        )
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
        .slice(0, Math.max(0, limit));
      return due.map((d) => {
        const updated: OutboxDelivery = {
          ...d,
          attempts: d.attempts + 1,
          leaseOwner: owner,
          leaseExpiresAt: leaseUntil,
          updatedAt: now,
        };
        s.put(s.outbox, d.id, updated);
        return readCopy(updated);
      });
    },
    async settle(id, owner, result) {
      s.assertWritable();
      const d = s.outbox.get(id);
      if (d === undefined || d.status !== "pending" || d.leaseOwner !== owner) return undefined;
      const updated: OutboxDelivery = {
        ...d,
        status: result.status,
        nextAttemptAt: result.nextAttemptAt,
        lastError: result.lastError,
        leaseOwner: null,
        leaseExpiresAt: null,
        updatedAt: result.now,
      };
      s.put(s.outbox, id, updated);
      return readCopy(updated);
    },
    async get(id) {
      return readCopy(s.outbox.get(id));
    },
    async prune(before, limit) {
      s.assertWritable();
      const old = ordered()
        .filter((d) => d.status !== "pending" && d.updatedAt < before)
        .sort((a, b) => a.updatedAt - b.updatedAt)
        .slice(0, Math.max(0, limit));
      for (const d of old) {
        s.delete(s.outbox, d.id);
        s.delete(s.outboxPairs, pairKey(d.webhook, d.eventId));
      }
      return old.length;
    },
    async list({ webhook, statuses, limit }) {
      return ordered()
        .filter(
          (d) =>
            (webhook === undefined || d.webhook === webhook) && (!statuses || statuses.includes(d.status)),
        )
        .slice(0, Math.max(0, limit))
        .map(readCopy);
    },
  };
}
