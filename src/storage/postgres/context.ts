import type { SqlExecutor } from "./driver.js";
import { fnv1a32 } from "./hash.js";

/** Schema-qualified, quoted table names of one storage instance. */
export interface PgTables {
  readonly sessions: string;
  readonly policies: string;
  readonly agents: string;
  readonly delegations: string;
  readonly proposals: string;
  readonly tickets: string;
  readonly leases: string;
  readonly killSwitches: string;
  readonly events: string;
  readonly eventsSeq: string;
  readonly idempotency: string;
  readonly apiTokens: string;
  readonly outbox: string;
  readonly outboxCursors: string;
  readonly toolPins: string;
  readonly checkpoints: string;
  readonly sessionRisk: string;
}

/** Advisory-lock namespaces (`classid` of two-key advisory locks) through which feed writers announce themselves. */
export interface FeedLockKeys {
  readonly hi: number;
  readonly lo: number;
}

/** What the stores of one transaction share. */
export interface PgTxContext {
  readonly q: SqlExecutor;
  readonly t: PgTables;
  readonly feedKeys: FeedLockKeys;
  /** False inside `read()`: no row locks are taken. */
  readonly write: boolean;
  /** Set once this transaction has announced its lowest possible event id (see `events.ts`). */
  feedAnnounced: boolean;
  /** The kill fence of this schema (see {@link killFence}). */
  readonly fence: KillFence;
  /** Set once this transaction holds the fence in shared mode (taken with BEGIN, or before the decision read). */
  fenced: boolean;
}

/**
 * The kill fence: one transaction-level advisory lock per schema (single-bigint key space, apart from the
 * two-key feed and migration locks). Every write transaction holds it shared from BEGIN on — before any
 * read of the kill switches — and engaging or releasing a kill switch takes it exclusively. Decisions never
 * block each other; a kill waits until every in-flight decision has committed (their effects precede it and
 * its sweep sees them), and a decision that begins later waits for the kill and reads it in its first
 * statement after the lock (a new READ COMMITTED snapshot). Locks are released after the commit is visible.
 */
export interface KillFence {
  /** The statement taking the fence shared (what decisions take). */
  readonly shared: string;
  /** The statement taking the fence exclusively (what a kill takes). */
  readonly exclusive: string;
}

/** The advisory-lock key (single bigint key space) of the kill fence of `schema`. */
export function killFenceKey(schema: string): number {
  return fnv1a32(`agent-control-plane:kill-fence:${schema}`);
}

/** The kill fence of `schema`. */
export function killFence(schema: string): KillFence {
  const key = killFenceKey(schema);
  return {
    shared: `SELECT pg_advisory_xact_lock_shared(${key}::bigint)`,
    exclusive: `SELECT pg_advisory_xact_lock(${key}::bigint)`,
  };
}

/** Table names and lock keys for `schema`. */
export function pgNames(schema: string): { readonly tables: PgTables; readonly feedKeys: FeedLockKeys } {
  const s = `"${schema}"`;
  const t = (name: string) => `${s}.acp_${name}`;
  return {
    tables: {
      sessions: t("sessions"),
      policies: t("policies"),
      agents: t("agents"),
      delegations: t("delegations"),
      proposals: t("proposals"),
      tickets: t("tickets"),
      leases: t("leases"),
      killSwitches: t("kill_switches"),
      events: t("events"),
      eventsSeq: t("events_id_seq"),
      idempotency: t("idempotency"),
      apiTokens: t("api_tokens"),
      outbox: t("outbox"),
      outboxCursors: t("outbox_cursors"),
      toolPins: t("tool_pins"),
      checkpoints: t("checkpoints"),
      sessionRisk: t("session_risk"),
    },
    feedKeys: {
      hi: fnv1a32(`agent-control-plane:feed-hi:${schema}`),
      lo: fnv1a32(`agent-control-plane:feed-lo:${schema}`),
    },
  };
}

/** A BIGINT / INTEGER column value (drivers return strings, numbers or bigints) as a number. */
export function num(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

/** {@link num}, keeping SQL NULL as `null`. */
export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

/** A JSONB column selected as `::text`, parsed (SQL NULL stays `null`). */
export function parseJson<T>(value: unknown): T {
  if (value === null || value === undefined) return null as T;
  return JSON.parse(value as string) as T;
}

/** A text column that may be NULL. */
export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : (value as string);
}
