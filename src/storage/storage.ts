import type { AgentRecord, DelegationRecord } from "../types/agent.js";
import type { ChainedEvent, ChainHead } from "../types/audit-chain.js";
import type { EventRecord, NewEvent } from "../types/event.js";
import type { JsonObject, JsonValue } from "../types/json.js";
import type { KillScope, KillSwitchRecord } from "../types/kill-switch.js";
import type { LeaseRecord } from "../types/lease.js";
import type { ProposalRecord, ProposalStatus } from "../types/proposal-record.js";
import type { SessionRecord, SessionStatus } from "../types/session.js";
import type { ApprovalScope, TicketRecord, TicketStatus } from "../types/ticket.js";
import type { ApiTokenStore } from "./api-token-store.js";
import type { CheckpointStore } from "./checkpoint-store.js";
import type { OutboxStore } from "./outbox-store.js";
import type { SessionRiskStore } from "./session-risk-store.js";
import type { Speculation } from "./speculative/plan.js";
import type { TokenBudgetStore } from "./token-budget-store.js";
import type { ToolPinStore } from "./tool-pin-store.js";

export type { ApiTokenStore, StoredApiToken } from "./api-token-store.js";
export type { CheckpointStore, StoredCheckpoint } from "./checkpoint-store.js";
export type {
  DeliverySettlement,
  DeliveryStatus,
  NewOutboxDelivery,
  OutboxDelivery,
  OutboxStore,
} from "./outbox-store.js";
export type { SessionRiskRecord, SessionRiskStore } from "./session-risk-store.js";
export type {
  PlanCheck,
  PlanWrite,
  Speculation,
  SpeculationPlan,
  SpeculationQuery,
  SpeculationSnapshot,
} from "./speculative/plan.js";
export type { TokenBudgetStore, TokenHoldRequest, TokenWindowChange } from "./token-budget-store.js";
export type { PinStatus, ToolPin, ToolPinStore } from "./tool-pin-store.js";

/**
 * The storage port. Every adapter (memory, SQLite, PostgreSQL) implements exactly these semantics and
 * passes the storage conformance suite (`agent-control-plane/testing`).
 *
 * Rules that hold for every method:
 * - Methods run inside a transaction (`transaction()` or `read()`); nothing is committed until the
 *   transaction function resolves. If it throws, every write of the transaction is rolled back.
 * - Each race-prone operation is ONE guarded primitive whose guarantee is written on it. Engines never
 *   read-check-write without a guard.
 * - Times are milliseconds since the epoch and always passed in (`now`): adapters never read a clock.
 * - Money is integer micros. Lists have no hidden limit: a `limit` is always explicit.
 * - A driver failure surfaces as a rejected promise (a `StorageError` with the driver error as `cause`);
 *   it is never swallowed.
 */
export interface Storage {
  /** Which adapter this is. */
  readonly dialect: "memory" | "sqlite" | "postgres";
  /**
   * Runs `fn` in one write transaction and resolves with its result once the transaction is durably
   * committed. Adapters may group several concurrent transactions into one commit (group commit); each stays
   * isolated (a failing one rolls back alone) and none resolves before the shared commit is durable.
   * `fn` must only await calls on `tx`: long waits (evaluators, network) belong outside.
   */
  transaction<T>(fn: (tx: StorageTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Runs `fn` against committed data only. `fn` must not write. */
  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  /**
   * Listens to change notifications sent with {@link StorageTx.notify} by any process sharing the database
   * (in-process for memory and SQLite; LISTEN/NOTIFY for PostgreSQL). Notifications are delivered only
   * after the sending transaction commits, at most once per listener, and may be lost when a connection
   * drops: listeners must also poll. Resolves with a function that stops listening.
   */
  subscribe(listener: (change: ChangeNotice) => void): Promise<() => Promise<void>>;
  /** Releases the adapter's resources. Never closes a database, pool or instance that the host passed in. */
  close(): Promise<void>;
  /**
   * Optional fast path (PostgreSQL with a `pg` pool only): a snapshot read outside any transaction, and the
   * atomic apply of a plan recorded by running the unchanged engine code against that snapshot
   * (`src/storage/speculative/recorder.ts`). `apply` re-checks every assumption under the kill fence and the
   * session row lock and applies each write with the guard of its port method, so the guarantees are those of
   * `transaction()`; when a check or guard fails nothing is written and the caller runs the normal transaction.
   * Adapters without it (memory, SQLite) always take the normal transaction.
   */
  readonly speculation?: Speculation;
}

/** Options of {@link Storage.transaction}. */
export interface TransactionOptions {
  /**
   * Run inside the host's own, already open transaction (a `pg` client or Kysely transaction for PostgreSQL,
   * a better-sqlite3 database inside `BEGIN` or a Kysely transaction for SQLite). The adapter then issues no
   * BEGIN/COMMIT: governance writes commit or roll back with the host's business writes, and a failure
   * rejects so that the host rolls back. Adapters reject handles they do not understand.
   */
  readonly external?: unknown;
}

/** A change that wakes waiters in every process: a ticket was decided or a kill switch changed. */
export interface ChangeNotice {
  readonly topic: "ticket" | "kill_switch" | "session";
  readonly id: string;
}

/** What a decision reads before it writes: see {@link StorageTx.decisionContext}. */
export interface DecisionContextQuery {
  readonly sessionId: string;
  /** The proposing agent; when `null` the session's owner acts. */
  readonly agentId: string | null;
  /** Fingerprint of the proposal, to find a pending or approved predecessor. */
  readonly fingerprint: string;
  readonly retryStatuses: readonly ProposalStatus[];
}

/** The reads of a decision, fetched together. */
export interface DecisionContext {
  readonly session: SessionRecord | undefined;
  /** The acting agent: the query's `agentId`, else the session's owner, else `null`. */
  readonly agentId: string | null;
  /** The acting agent's record, if it is registered. */
  readonly agent: AgentRecord | undefined;
  /** Whether any agent is registered. */
  readonly anyAgent: boolean;
  /** As {@link KillSwitchStore.findEngaged} for the session, the acting agent and the session's owner. */
  readonly killSwitch: KillSwitchRecord | undefined;
  /** As {@link ProposalStore.findByFingerprint} with `retryStatuses`. */
  readonly retry: ProposalRecord | undefined;
}

/** The operations available inside a transaction, grouped by entity. */
export interface StorageTx {
  /** Queues a change notice, sent to every subscriber once (and only if) this transaction commits. */
  notify(change: ChangeNotice): void;
  /**
   * Reads everything a decision needs before it writes — the session, the acting agent, the kill switch in
   * force, a pending or approved predecessor — with exactly the semantics of the single-entity reads, in as few
   * round trips as the adapter can (one on PostgreSQL).
   *
   * Kill-switch guarantee: the switches are read after every kill switch engaged or released by a transaction
   * that committed before this one could see it, and a kill never commits while a transaction that read the
   * switches before it is still running (memory and SQLite: writers are serialized; PostgreSQL: the kill
   * fence). So no decision is allowed once a kill covering it has committed.
   */
  decisionContext(query: DecisionContextQuery): Promise<DecisionContext>;
  readonly sessions: SessionStore;
  readonly policies: PolicyStore;
  readonly agents: AgentStore;
  readonly proposals: ProposalStore;
  readonly tickets: TicketStore;
  readonly leases: LeaseStore;
  readonly killSwitches: KillSwitchStore;
  readonly events: EventStore;
  readonly idempotency: IdempotencyStore;
  /** Stored API tokens (hashed), see {@link ApiTokenStore}. */
  readonly apiTokens: ApiTokenStore;
  /** The notification outbox (webhook deliveries and feed cursors), see {@link OutboxStore}. */
  readonly outbox: OutboxStore;
  /** Pinned upstream tool definitions of the MCP proxy, see {@link ToolPinStore}. */
  readonly toolPins: ToolPinStore;
  /** Signed checkpoints of the audit log's Merkle tree, see {@link CheckpointStore}. */
  readonly checkpoints: CheckpointStore;
  /** The accumulated risk of each session, see {@link SessionRiskStore}. */
  readonly sessionRisk: SessionRiskStore;
  /** Token budgets, reservations and the usage ledger, see {@link TokenBudgetStore}. */
  readonly tokenBudgets: TokenBudgetStore;
}

/** Filter of sessions for bulk operations. Matches every session, however many, that fits all given fields. */
export interface SessionFilter {
  readonly statuses: readonly SessionStatus[];
  /** Only sessions owned by this agent. */
  readonly agentId?: string;
  /** Only this session. */
  readonly sessionId?: string;
}

/** Sessions, with their budget counters and sequence counter. */
export interface SessionStore {
  /** Inserts a new session. A duplicate id rejects with a `conflict` error. */
  insert(session: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | undefined>;
  /**
   * Guarded transition: sets `status` (and `statusReason`) only if the current status is in `from`.
   * Returns the updated record, or `undefined` if the session does not exist or its status is not in `from`.
   */
  transition(
    id: string,
    from: readonly SessionStatus[],
    to: SessionStatus,
    reason: string | null,
    now: number,
  ): Promise<SessionRecord | undefined>;
  /**
   * Guarded bulk transition: moves EVERY session matching `filter` (no limit) to `to`.
   * Returns the ids that changed.
   */
  transitionWhere(
    filter: SessionFilter,
    to: SessionStatus,
    reason: string | null,
    now: number,
  ): Promise<readonly string[]>;
  /**
   * Increment-if-within-limit: adds `cost` micros and `actions` to the used counters only if afterwards
   * `usedCost <= maxCost` (when `maxCost` is set) and `usedActions <= maxActions` (when set). Atomic: under
   * any concurrency the limits are never exceeded. Returns the updated record, or `undefined` if it would
   * exceed a limit or the session does not exist.
   */
  reserveBudget(id: string, cost: number, actions: number, now: number): Promise<SessionRecord | undefined>;
  /**
   * Unguarded adjustment of the used counters by (possibly negative) deltas, used to reconcile a
   * reservation with the actual cost. Counters never go below zero. Returns the updated record.
   */
  adjustBudget(
    id: string,
    costDelta: number,
    actionsDelta: number,
    now: number,
  ): Promise<SessionRecord | undefined>;
  /** Newest first. */
  list(query: {
    readonly statuses?: readonly SessionStatus[];
    readonly agentId?: string;
    readonly limit: number;
    readonly offset?: number;
  }): Promise<readonly SessionRecord[]>;
  /** Number of sessions per status. */
  countByStatus(): Promise<Readonly<Record<SessionStatus, number>>>;
  /**
   * The used budget counters summed over every session: `cost` in micros and `actions`. One aggregate read
   * (for metrics), never on the decision path.
   */
  budgetUsed(): Promise<{ readonly cost: number; readonly actions: number }>;
}

/** A stored, immutable policy snapshot. */
export interface PolicySnapshotRecord {
  readonly id: string;
  readonly document: JsonObject;
  readonly createdAt: number;
}

/** Immutable policy snapshots, keyed by content hash. */
export interface PolicyStore {
  /** Inserts the snapshot if no snapshot with this id exists (idempotent; never overwrites). */
  put(snapshot: PolicySnapshotRecord): Promise<void>;
  get(id: string): Promise<PolicySnapshotRecord | undefined>;
}

/** Agent identities and delegation records. */
export interface AgentStore {
  /** Inserts or replaces the agent; an existing agent keeps its `createdAt`. Returns the stored record. */
  upsert(agent: AgentRecord): Promise<AgentRecord>;
  get(id: string): Promise<AgentRecord | undefined>;
  /** Agents having any of `tags` (all agents when `tags` is absent or empty), ordered by id. */
  list(query: {
    readonly tags?: readonly string[];
    readonly limit: number;
    readonly offset?: number;
  }): Promise<readonly AgentRecord[]>;
  /** Whether at least one agent is registered (identity checks apply from then on). Cheap: no count. */
  any(): Promise<boolean>;
  insertDelegation(delegation: DelegationRecord): Promise<void>;
  /**
   * The oldest delegation from `fromAgentId` to `toAgentId` that covers `sessionId` — one recorded for that
   * session, or one without a session (it covers every session of the delegator) — together with the
   * delegator's current record, in one read. `undefined` when no such delegation exists or the delegator is not
   * registered. Read by a decision only when the acting agent is not the session's owner.
   */
  findDelegation(
    fromAgentId: string,
    toAgentId: string,
    sessionId: string,
  ): Promise<{ readonly delegation: DelegationRecord; readonly delegator: AgentRecord } | undefined>;
  /** Delegations from or to `agentId` (all when absent), oldest first. */
  listDelegations(query: {
    readonly agentId?: string;
    readonly limit: number;
  }): Promise<readonly DelegationRecord[]>;
}

/** Fields that a proposal transition may change. */
export type ProposalPatch = Partial<
  Pick<
    ProposalRecord,
    | "outcome"
    | "code"
    | "reason"
    | "ticketId"
    | "reservedCost"
    | "actualCost"
    | "output"
    | "error"
    | "completedAt"
  >
> & { readonly status: ProposalStatus; readonly updatedAt: number };

/** Proposals and their outcomes. */
export interface ProposalStore {
  insert(proposal: ProposalRecord): Promise<void>;
  get(id: string): Promise<ProposalRecord | undefined>;
  /**
   * Transition-if-status: applies `patch` only if the current status is in `from`. Returns the updated record,
   * or `undefined` if the proposal does not exist or its status is not in `from`.
   */
  transition(
    id: string,
    from: readonly ProposalStatus[],
    patch: ProposalPatch,
  ): Promise<ProposalRecord | undefined>;
  /** The newest proposal of `sessionId` with this fingerprint whose status is in `statuses`. */
  findByFingerprint(
    sessionId: string,
    fingerprint: string,
    statuses: readonly ProposalStatus[],
  ): Promise<ProposalRecord | undefined>;
  /** Newest first. */
  list(query: {
    readonly sessionId?: string;
    readonly statuses?: readonly ProposalStatus[];
    readonly limit: number;
    readonly offset?: number;
  }): Promise<readonly ProposalRecord[]>;
  /** Number of proposals in `status` (for metrics, such as `outcome_unknown`; never on the decision path). */
  countWithStatus(status: ProposalStatus): Promise<number>;
}

/** What a human decision writes on a ticket. */
export interface TicketDecision {
  readonly status: Exclude<TicketStatus, "pending">;
  readonly decidedBy: string | null;
  readonly reason: string | null;
  readonly scope: ApprovalScope | null;
  readonly decidedAt: number;
}

/** Which pending tickets a kill switch denies. */
export interface TicketFilter {
  /** Tickets of this session. */
  readonly sessionId?: string;
  /** Tickets whose proposal was made by this agent, or whose session this agent owns. */
  readonly agentId?: string;
  /** Every pending ticket. */
  readonly all?: true;
}

/** Approval tickets and allow-for-session scopes. */
export interface TicketStore {
  insert(ticket: TicketRecord): Promise<void>;
  get(id: string): Promise<TicketRecord | undefined>;
  /**
   * Decide-at-most-once: moves the ticket from `pending` to `decision.status` only if it is still pending.
   * Returns the updated ticket, or `undefined` if it does not exist or was already decided.
   */
  decide(id: string, decision: TicketDecision): Promise<TicketRecord | undefined>;
  /** Denies EVERY pending ticket matching `filter` (no limit). Returns the tickets that changed. */
  denyPendingWhere(
    filter: TicketFilter,
    decidedBy: string,
    reason: string,
    now: number,
  ): Promise<readonly TicketRecord[]>;
  /**
   * Consume-one: finds an approved ticket of `sessionId` with a `session` scope that covers the request
   * (action in `scope.actions` if set, resource in `scope.resourceIds` if set, `cost <= maxCostPerAction` if
   * set, `expiresAt > now` if set, `remaining > 0` if set) and, atomically, decrements `remaining` when it is
   * set. Returns the ticket as updated, or `undefined` when no scope covers the request. Two racing
   * consumers can never both take the last unit.
   */
  consumeScope(query: {
    readonly sessionId: string;
    readonly action: string;
    readonly resourceId: string | null;
    readonly cost: number;
    readonly now: number;
  }): Promise<TicketRecord | undefined>;
  /** Newest first. */
  list(query: {
    readonly sessionId?: string;
    readonly statuses?: readonly TicketStatus[];
    readonly limit: number;
    readonly offset?: number;
  }): Promise<readonly TicketRecord[]>;
  /**
   * Escalate-at-most-once: moves a pending ticket from escalation step `fromLevel` to `fromLevel + 1` with a new
   * deadline, only if it is still pending at that step. Returns the updated ticket, or `undefined` when another
   * caller escalated or decided it first (or it does not exist).
   */
  escalate(id: string, fromLevel: number, deadlineAt: number): Promise<TicketRecord | undefined>;
  /** Pending tickets whose deadline is `<= now`, oldest deadline first. */
  listDue(now: number, limit: number): Promise<readonly TicketRecord[]>;
  /** Number of pending tickets. */
  countPending(): Promise<number>;
}

/** The result of {@link LeaseStore.acquireDisplacing}. */
export type LeaseAcquisition =
  | { readonly acquired: false }
  | { readonly acquired: true; readonly displaced: LeaseRecord | undefined };

/** Leases: holds with an owner and an expiry (resource locks, session cycles, claimed work). */
export interface LeaseStore {
  /**
   * Acquire-if-free-or-expired: takes the lease if nobody holds `key`, or its holder's lease has expired
   * (`expiresAt <= now`), or `owner` already holds it (then it is extended). Returns `true` if `owner` now
   * holds it. Two racing acquirers can never both succeed.
   */
  acquire(lease: LeaseRecord, now: number): Promise<boolean>;
  /**
   * {@link LeaseStore.acquire} that also reports the holder it displaced: when the lease is taken over from
   * another owner whose lease had expired, `displaced` is that holder's record as it was, so the caller can
   * settle the work it was doing (an executing proposal becomes `outcome_unknown`). Same race guarantee as
   * `acquire`. On PostgreSQL a takeover racing another takeover of the same key may report an older holder
   * or none; recovery settles any executing proposal left without a live lease.
   */
  acquireDisplacing(lease: LeaseRecord, now: number): Promise<LeaseAcquisition>;
  /** Extends the lease only if `owner` holds it and it has not expired. Returns `true` on success. */
  renew(key: string, owner: string, expiresAt: number, now: number): Promise<boolean>;
  /** Releases the lease only if `owner` holds it. Returns `true` if it was released. */
  release(key: string, owner: string): Promise<boolean>;
  get(key: string): Promise<LeaseRecord | undefined>;
  /**
   * Release-if-expired: deletes the lease only if `owner` still holds it and it has expired
   * (`expiresAt <= now`), so a holder that renewed in time keeps it. Returns `true` if it was released; of
   * several racing recoverers exactly one gets `true`.
   */
  releaseExpired(key: string, owner: string, now: number): Promise<boolean>;
  /** Releases every lease of `sessionId`; returns how many. */
  releaseForSession(sessionId: string): Promise<number>;
  /** Leases with `expiresAt <= now`, oldest expiry first. */
  listExpired(now: number, limit: number): Promise<readonly LeaseRecord[]>;
  /** How many leases whose key starts with `keyPrefix` are live (`expiresAt > now`), e.g. `"cycle:"`. */
  countLive(keyPrefix: string, now: number): Promise<number>;
}

/** Persisted kill switches. */
export interface KillSwitchStore {
  /**
   * Engages (inserts or re-engages) the switch. Returns the record and whether it changed
   * (`false` if it was already engaged). Call it first in its transaction: it waits until every decision in
   * flight has committed, and later decisions wait for this transaction (see `decisionContext`).
   * `engagedBy` (default `null`) records who engaged it; re-engaging an engaged switch keeps the first one.
   */
  engage(
    scope: KillScope,
    target: string,
    reason: string,
    now: number,
    engagedBy?: string | null,
  ): Promise<{ readonly record: KillSwitchRecord; readonly changed: boolean }>;
  /** Releases the switch. Returns the record, or `undefined` if it was not engaged. */
  release(scope: KillScope, target: string, now: number): Promise<KillSwitchRecord | undefined>;
  /**
   * The engaged switch that stops activity in `sessionId` by any of `agentIds`, if any: global first,
   * then the session's, then an agent's.
   */
  findEngaged(sessionId: string, agentIds: readonly string[]): Promise<KillSwitchRecord | undefined>;
  list(query: { readonly engagedOnly?: boolean }): Promise<readonly KillSwitchRecord[]>;
}

/** The append-only audit log. */
export interface EventStore {
  /**
   * Append-with-next-seq: for a session event, allocates `seq = session.lastSeq + 1` and advances the
   * session's counter in the same transaction, so sequence numbers are unique and gap-free under any
   * concurrency (a unique `(sessionId, seq)` constraint backs it). Assigns the global feed `id`. A failed
   * append rejects: the caller's operation fails with it (state-bearing writes fail closed).
   * Rejects with `not_found` when the session does not exist.
   */
  append(event: NewEvent): Promise<EventRecord>;
  /** Events of a session with `seq > afterSeq`, ascending. */
  list(
    sessionId: string,
    query: { readonly afterSeq?: number; readonly limit: number },
  ): Promise<readonly EventRecord[]>;
  /**
   * The global feed: events with `id > afterId` (optionally of one session), ascending by `id`. A reader
   * that resumes from the last `id` it saw never misses a committed event.
   */
  feed(query: {
    readonly afterId?: number;
    readonly sessionId?: string;
    readonly limit: number;
  }): Promise<readonly EventRecord[]>;
  /**
   * Audit chain read: the session's stored events with `afterSeq < seq <= upToSeq`, ascending by `seq`, each with
   * its stored chain link. Returns the rows as they are (a verifier looks for gaps and edits in them).
   *
   * Chain guarantee of `append`: a session event's link is `SHA-256(previous link || canonical JSON)` (see
   * `chainLink`), computed from the session's head link read and advanced together with `lastSeq`, in the same
   * transaction, so the links of a session form one chain under any concurrency. System events (no session)
   * carry no link.
   */
  chain(
    sessionId: string,
    query: { readonly afterSeq?: number; readonly upToSeq: number; readonly limit: number },
  ): Promise<readonly ChainedEvent[]>;
  /**
   * Chain heads (last seq and head link) of one session (`sessionId`) or of every session with an id greater
   * than `afterSessionId`, ascending by session id.
   */
  chainHeads(query: {
    readonly sessionId?: string;
    readonly afterSessionId?: string;
    readonly limit: number;
  }): Promise<readonly ChainHead[]>;
}

/** A recorded result of an idempotent mutation. */
export interface IdempotencyRecord {
  readonly key: string;
  readonly operation: string;
  /**
   * Fingerprint of the request the key was used for (operation + canonical input): a later use of the key
   * replays `result` only for the same fingerprint. Empty for records written before fingerprints existed.
   */
  readonly fingerprint: string;
  readonly result: JsonValue;
  readonly createdAt: number;
}

/** The idempotency ledger. */
export interface IdempotencyStore {
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Records the result (with its request fingerprint). The key is unique: a duplicate key — also one recorded
   * by a concurrent transaction that committed first — rejects with a `conflict` error and keeps the first
   * record (the transaction then rolls back).
   */
  put(record: IdempotencyRecord): Promise<void>;
}
