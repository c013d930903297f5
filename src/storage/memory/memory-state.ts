import type { AgentRecord, DelegationRecord } from "../../types/agent.js";
import type { EventRecord } from "../../types/event.js";
import type { KillSwitchRecord } from "../../types/kill-switch.js";
import type { LeaseRecord } from "../../types/lease.js";
import type { ProposalRecord } from "../../types/proposal-record.js";
import type { SessionRecord } from "../../types/session.js";
import type { TicketRecord } from "../../types/ticket.js";
import type { IdempotencyRecord, PolicySnapshotRecord } from "../storage.js";

const FROZEN = new WeakSet<object>();

/**
 * A deeply frozen copy of a record (plain objects and arrays are copied, parts already frozen by this function
 * are shared). The memory adapter stores only such copies: a caller changing the object it wrote, or one it
 * read back, cannot change stored state or later reads (a read returns the frozen stored record).
 */
export function frozenCopy<T>(value: T): T {
  if (value === null || typeof value !== "object" || FROZEN.has(value)) return value;
  let copy: object;
  if (Array.isArray(value)) copy = value.map(frozenCopy);
  else {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = frozenCopy((value as Record<string, unknown>)[key]);
    copy = out;
  }
  Object.freeze(copy);
  FROZEN.add(copy);
  return copy as T;
}

/**
 * The tables of the memory adapter. Records are immutable (deeply frozen copies, see {@link frozenCopy}): an
 * update replaces the stored object, so a rollback only has to put the previous reference back.
 */
export class MemoryState {
  readonly sessions = new Map<string, SessionRecord>();
  readonly policies = new Map<string, PolicySnapshotRecord>();
  readonly agents = new Map<string, AgentRecord>();
  readonly delegations: DelegationRecord[] = [];
  readonly proposals = new Map<string, ProposalRecord>();
  /** Index `sessionId + "\u0000" + fingerprint` → proposal ids, oldest first. */
  readonly proposalsByFingerprint = new Map<string, string[]>();
  readonly tickets = new Map<string, TicketRecord>();
  readonly leases = new Map<string, LeaseRecord>();
  readonly killSwitches = new Map<string, KillSwitchRecord>();
  readonly events: EventRecord[] = [];
  readonly eventsBySession = new Map<string, EventRecord[]>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  /** Undo log of the running transaction; `null` outside a write transaction. */
  undo: (() => void)[] | null = null;
  nextEventId = 1;

  /** Sets `map[key] = value`, recording how to undo it. */
  set<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (this.undo) {
      const had = map.has(key);
      const previous = map.get(key);
      this.undo.push(() => {
        if (had) map.set(key, previous as V);
        else map.delete(key);
      });
    }
    map.set(key, value);
  }

  /** Stores a frozen copy of `record` at `map[key]` (recording how to undo it) and returns the stored copy. */
  put<K, V>(map: Map<K, V>, key: K, record: V): V {
    const stored = frozenCopy(record);
    this.set(map, key, stored);
    return stored;
  }

  /** Deletes `map[key]`, recording how to undo it. */
  delete<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    if (this.undo) {
      const previous = map.get(key) as V;
      this.undo.push(() => map.set(key, previous));
    }
    map.delete(key);
  }

  /** Appends to an array, recording how to undo it. */
  push<T>(list: T[], value: T): void {
    list.push(value);
    if (this.undo) this.undo.push(() => void list.pop());
  }

  /** Mutation guard: throws when a write is attempted outside a write transaction. */
  assertWritable(): void {
    if (!this.undo) throw new Error("memory storage: write attempted outside a write transaction");
  }
}

/** Newest-first page of `values` sorted by `createdAt` (stable by insertion order). */
export function pageNewestFirst<T extends { readonly createdAt: number }>(
  values: Iterable<T>,
  limit: number,
  offset = 0,
): T[] {
  const all = [...values];
  const indexed = all.map((v, i) => [v, i] as const);
  indexed.sort((a, b) => b[0].createdAt - a[0].createdAt || b[1] - a[1]);
  return indexed.slice(offset, offset + limit).map(([v]) => v);
}
