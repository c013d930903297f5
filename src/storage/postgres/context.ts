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
