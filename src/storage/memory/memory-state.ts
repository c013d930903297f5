import type { AgentRecord, DelegationRecord } from "../../types/agent.js";
import type { EventRecord } from "../../types/event.js";
import type { KillSwitchRecord } from "../../types/kill-switch.js";
import type { LeaseRecord } from "../../types/lease.js";
import type { ProposalRecord } from "../../types/proposal-record.js";
import type { SessionRecord } from "../../types/session.js";
import type { TicketRecord } from "../../types/ticket.js";
import type {
  TokenBudgetConfigRecord,
  TokenHoldRecord,
  TokenLedgerEntry,
  TokenReservationRecord,
  TokenWindowRecord,
} from "../../types/token-budget.js";
import type { StoredApiToken } from "../api-token-store.js";
import type { StoredCheckpoint } from "../checkpoint-store.js";
import type { OutboxDelivery } from "../outbox-store.js";
import type { SessionRiskRecord } from "../session-risk-store.js";
import type { IdempotencyRecord, PolicySnapshotRecord } from "../storage.js";
import type { ToolPin } from "../tool-pin-store.js";

/**
 * The copy of a record the memory adapter stores: a new top-level object whose nested objects and arrays are
 * deeply frozen copies (parts already frozen, e.g. of a stored record or a policy document, are shared). With
 * {@link readCopy} on the way out, neither the object a caller wrote nor one it read back shares anything
 * mutable with stored state. (Top-level objects are copied, not frozen: freezing them is far slower in V8.)
 */
export function storedCopy<T>(record: T): T {
  if (record === null || typeof record !== "object") return record;
  const copy: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  for (const key in copy) {
    const v = copy[key];
    if (v !== null && typeof v === "object" && !Object.isFrozen(v)) copy[key] = frozenPart(v);
  }
  return copy as T;
}

/** A shallow copy of a stored record for a reader (its nested parts are frozen and safely shared). */
export function readCopy<T extends object | undefined>(record: T): T {
  return (record === undefined ? undefined : { ...record }) as T;
}

function frozenPart(value: object): object {
  if (Array.isArray(value)) return Object.freeze(value.map(part));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = part((value as Record<string, unknown>)[key]);
  return Object.freeze(out);
}

/** A deeply frozen copy of a JSON value (shared as is when already frozen). */
export function frozenJson<T>(value: T): T {
  return part(value) as T;
}

function part(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  return frozenPart(value);
}

/**
 * A session's event stream in the memory adapter: `events[n - 1]` is the event of seq n (gap-free), `links[n - 1]`
 * its audit chain link (`null` when appended with the chain off, benchmarks only), `head` the newest link (`null`
 * until the first chained event).
 */
export interface SessionLog {
  readonly events: EventRecord[];
  readonly links: (string | null)[];
  head: string | null;
}

/** A token budget's window counter rows: by window start, and their starts ascending (a rolling budget sums its
 * newest buckets). */
export interface ConfigWindows {
  readonly rows: Map<number, TokenWindowRecord>;
  readonly starts: number[];
}

/**
 * The tables of the memory adapter. Records are immutable (copies, see {@link storedCopy} and {@link readCopy}):
 * an update replaces the stored object, so a rollback only has to put the previous reference back.
 */
export class MemoryState {
  readonly sessions = new Map<string, SessionRecord>();
  readonly policies = new Map<string, PolicySnapshotRecord>();
  readonly agents = new Map<string, AgentRecord>();
  readonly delegations: DelegationRecord[] = [];
  readonly proposals = new Map<string, ProposalRecord>();
  /** Index session id → fingerprint → proposal ids, oldest first (no key string built per lookup). */
  readonly proposalsByFingerprint = new Map<string, Map<string, string[]>>();
  readonly tickets = new Map<string, TicketRecord>();
  readonly leases = new Map<string, LeaseRecord>();
  readonly killSwitches = new Map<string, KillSwitchRecord>();
  readonly events: EventRecord[] = [];
  /** Each session's events, their chain links and its chain head (see {@link SessionLog}). */
  readonly sessionLogs = new Map<string, SessionLog>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  readonly apiTokens = new Map<string, StoredApiToken>();
  readonly outbox = new Map<string, OutboxDelivery>();
  /** Index `webhook + "\u0000" + eventId` → delivery id (the unique pair). */
  readonly outboxPairs = new Map<string, string>();
  readonly outboxCursors = new Map<string, number>();
  /** Pinned tool definitions by `server + "\u0000" + tool`. */
  readonly toolPins = new Map<string, ToolPin>();
  /** Audit checkpoints by tree size. */
  readonly checkpoints = new Map<number, StoredCheckpoint>();
  /** Session risk states by session id. */
  readonly sessionRisk = new Map<string, SessionRiskRecord>();
  /** Token budgets, their window counters (see {@link ConfigWindows}), reservations and holds. */
  readonly tokenConfigs = new Map<string, TokenBudgetConfigRecord>();
  readonly tokenWindows = new Map<string, ConfigWindows>();
  readonly tokenReservations = new Map<string, TokenReservationRecord>();
  /** Expiry of each `held` reservation. */
  readonly tokenDue = new Map<string, number>();
  /** The holds of each reservation. */
  readonly tokenHolds = new Map<string, readonly TokenHoldRecord[]>();
  readonly tokenLedger: TokenLedgerEntry[] = [];
  /** Undo log of the running transaction; `null` outside a write transaction. */
  undo: (() => void)[] | null = null;
  nextEventId = 1;

  /** Sets `map[key] = value`, recording how to undo it. */
  set<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (this.undo) {
      const previous = map.get(key);
      // Stored values are never `undefined`: a second lookup only for a map that would hold one.
      const had = previous !== undefined || map.has(key);
      this.undo.push(() => {
        if (had) map.set(key, previous as V);
        else map.delete(key);
      });
    }
    map.set(key, value);
  }

  /** Sets `map[key] = value` for a key the caller knows is absent (no lookup), recording how to undo it. */
  add<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (this.undo) this.undo.push(() => void map.delete(key));
    map.set(key, value);
  }

  /** Stores a copy of `record` (see {@link storedCopy}) at `map[key]`, recording how to undo it. */
  put<K, V>(map: Map<K, V>, key: K, record: V): void {
    this.set(map, key, storedCopy(record));
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
