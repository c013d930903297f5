import type { AgentInput } from "../engines/agents/agent-registry.js";
import type { AuditBundle } from "../engines/audit/audit-bundle.js";
import type { AuditReport } from "../engines/audit/audit-problem.js";
import type { VerifyAuditQuery } from "../engines/audit/audit-verifier.js";
import type { KillResult, KillTarget } from "../engines/kill-switch/kill-switch.js";
import type { CompiledPolicy } from "../engines/policy/compiled-policy.js";
import type { AgentRecord, DelegationRecord } from "../types/agent.js";
import type { EventRecord } from "../types/event.js";
import type { KillSwitchRecord } from "../types/kill-switch.js";
import type { ProposalInput } from "../types/proposal.js";
import type { ProposalStatus } from "../types/proposal-record.js";
import type { SessionStatus } from "../types/session.js";
import type { TicketStatus } from "../types/ticket.js";
import type { CallOptions, CompletionInput } from "./action-api.js";
import type { ApproveInput, DenyInput } from "./approval-api.js";
import type { CheckpointView } from "./audit-api.js";
import type { Decision } from "./decision.js";
import type { MaintenanceHandle, MaintenanceOptions, RecoveryReport } from "./maintenance.js";
import type { OpenSessionInput } from "./session-api.js";
import type { ProposalView, SessionView, TicketView } from "./views.js";

/**
 * Options of the operator's session verbs (`pauseSession`, `resumeSession`, `closeSession`, `abortSession`):
 * `actor` (1..200 characters) names who acted; it is recorded as payload `by` in the audit events.
 */
export interface OperatorCallOptions {
  readonly idempotencyKey?: string;
  readonly actor?: string;
}

import type { TokenBudgetInput, TokenIdentityInput } from "../engines/token-budgets/parse-budget-config.js";
import type { TokenBudgetPeriod } from "../types/token-budget.js";
import type {
  TokenBudgetStateView,
  TokenBudgetView,
  TokenReservationView,
  TokenSettlementView,
  TokenUsageInput,
  TokenUsageSummaryView,
} from "./token-budget-api.js";
import type { WaitResult } from "./wait-for-decision.js";

/** Counts for a health snapshot. */
export interface HealthSnapshot {
  readonly sessions: Readonly<Record<SessionStatus, number>>;
  readonly pendingTickets: number;
  readonly engagedKillSwitches: number;
  /** Sessions whose cycle lease is live (see {@link ControlPlane.beginCycle}). */
  readonly activeCycles: number;
  /** Proposals whose outcome is unknown (stopped or lost mid-execution; see {@link ControlPlane.recover}). */
  readonly outcomeUnknown: number;
  /** Budget used, summed over every session: cost in currency units (decimal string) and actions. */
  readonly budgetUsed: { readonly cost: string; readonly actions: number };
  readonly capturedAt: number;
}

/**
 * The control plane: one object through which an agent runtime proposes actions and reports outcomes, and
 * operators approve, deny, halt and audit. Every method validates its input eagerly (a `ValidationError` names
 * the bad field and nothing changes) and every state change is recorded in the audit log in the same
 * transaction.
 *
 * Errors common to every method: `ValidationError` (`validation_failed`) for bad input; `closed` after
 * {@link ControlPlane.close}; `StorageError` (`storage_failure`) when the database fails (nothing is half
 * done). Methods taking an `idempotencyKey` replay the first result for a repeated key.
 */
export interface ControlPlane {
  /** The default policy of new sessions. */
  readonly policy: CompiledPolicy;
  /**
   * Opens a session in state `created`, with its own budget and a frozen snapshot of the policy (later policy
   * changes never reach it). Its first proposal activates it.
   * @throws ValidationError naming each bad field (`budget.maxCost`, `policy.actions.blocked[0]`, ...).
   * @example
   * const session = await cp.openSession({ name: "ticket #42", agentId: "triage-bot", budget: { maxCost: "5", maxActions: 20 } });
   */
  openSession(input?: OpenSessionInput): Promise<SessionView>;
  /**
   * Reads a session: status, budget (money as decimal strings) and last audit sequence number.
   * @throws NotFoundError for an unknown id.
   */
  getSession(sessionId: string): Promise<SessionView>;
  /** Lists sessions, newest first, optionally by status or owning agent (`limit` default 100, at most 1000). */
  listSessions(query?: {
    statuses?: readonly SessionStatus[];
    agentId?: string;
    limit?: number;
    offset?: number;
  }): Promise<readonly SessionView[]>;
  /**
   * The session's frozen policy snapshot.
   * @throws NotFoundError for an unknown session.
   */
  getSessionPolicy(sessionId: string): Promise<CompiledPolicy>;
  /**
   * Moves a `created` session to `active` (the first proposal does this by itself).
   * @throws NotFoundError; InvalidTransitionError naming both states.
   */
  activateSession(sessionId: string, options?: { idempotencyKey?: string }): Promise<SessionView>;
  /**
   * Pauses an active session: its proposals are denied until it is resumed.
   * @throws NotFoundError; InvalidTransitionError naming both states.
   */
  pauseSession(sessionId: string, reason?: string, options?: OperatorCallOptions): Promise<SessionView>;
  /**
   * Resumes a paused session.
   * @throws NotFoundError; InvalidTransitionError naming both states.
   */
  resumeSession(sessionId: string, options?: OperatorCallOptions): Promise<SessionView>;
  /**
   * Completes a session (active or paused); its pending tickets are denied and their holds released. Work
   * still executing keeps its resource lock until `complete()` or lease expiry.
   * @throws NotFoundError; InvalidTransitionError naming both states.
   */
  closeSession(sessionId: string, options?: OperatorCallOptions): Promise<SessionView>;
  /**
   * Aborts a session for `reason` (terminal): its pending tickets are denied and its proposals refused.
   * @throws NotFoundError; InvalidTransitionError naming both states; ValidationError for an empty reason.
   */
  abortSession(sessionId: string, reason: string, options?: OperatorCallOptions): Promise<SessionView>;
  /**
   * Decides a proposed action in one transaction: session and kill switches, agent, policy tier and risk,
   * conditions and evaluators, approval, budget and resource lock, audit. A denial is a value, not an
   * exception: the decision's `outcome` is `allowed`, `denied`, `pending_approval` (with a `ticketId`) or
   * `steered`, with a machine `code` and a human `reason`. Execute only what is `allowed`, then call
   * {@link ControlPlane.complete}. Retrying an approved proposal unchanged resumes it.
   * @throws ValidationError for a malformed proposal; NotFoundError for an unknown session.
   * @example
   * const d = await cp.propose({ sessionId: session.id, action: "send_email", resourceId: "ann@example.com", cost: "0.01" });
   * if (d.outcome === "allowed") {
   *   await sendEmail();
   *   await cp.complete(d.proposalId, { ok: true });
   * } else if (d.outcome === "pending_approval") {
   *   const { status } = await cp.waitForDecision(d.ticketId, { timeoutMs: 60_000 });
   * }
   */
  propose(input: ProposalInput, options?: CallOptions): Promise<Decision>;
  /**
   * Records the outcome of an allowed (executing) proposal, settles its budget reservation with the actual
   * cost (default: the estimate), releases its resource lock and records `execution_completed` or
   * `execution_failed`.
   * @throws NotFoundError; InvalidTransitionError when the proposal is not executing.
   * @example
   * await cp.complete(d.proposalId, { ok: true, cost: "0.012", output: { messageId: "m-1" } });
   */
  complete(proposalId: string, input: CompletionInput, options?: CallOptions): Promise<ProposalView>;
  /**
   * Reads a proposal with its decision, trace and outcome (money as decimal strings).
   * @throws NotFoundError for an unknown id.
   */
  getProposal(proposalId: string): Promise<ProposalView>;
  /** Lists proposals, newest first, optionally of one session or by status (`limit` default 100). */
  listProposals(query?: {
    sessionId?: string;
    statuses?: readonly ProposalStatus[];
    limit?: number;
    offset?: number;
  }): Promise<readonly ProposalView[]>;
  /**
   * Approves a pending ticket (at most once, even across processes). With the default scope `once` only the
   * ticket's proposal may run; a `session` scope also waives the human for later matching proposals of the
   * session. The agent then retries the same proposal to run it.
   * @throws NotFoundError; ControlPlaneError `already_decided` when the ticket was decided or expired.
   * @example
   * await cp.approve(ticketId, { decidedBy: "ops@example.com", reason: "customer verified" });
   */
  approve(ticketId: string, input: ApproveInput): Promise<TicketView>;
  /**
   * Denies a pending ticket (at most once): its proposal is denied and its resource lock released.
   * @throws NotFoundError; ControlPlaneError `already_decided` when the ticket was decided or expired.
   * @example
   * await cp.deny(ticketId, { decidedBy: "ops@example.com", reason: "wrong customer" });
   */
  deny(ticketId: string, input: DenyInput): Promise<TicketView>;
  /**
   * Reads a ticket with what it asks to decide (`request`: action, resource, agent, cost, reason, risk, tier)
   * and, once decided, who decided, why and with which scope.
   * @throws NotFoundError for an unknown id.
   */
  getTicket(ticketId: string): Promise<TicketView>;
  /**
   * Lists tickets, newest first, optionally of one session or by status (`limit` default 100).
   * @example
   * const waiting = await cp.listTickets({ statuses: ["pending"] });
   */
  listTickets(query?: {
    sessionId?: string;
    statuses?: readonly TicketStatus[];
    limit?: number;
    offset?: number;
  }): Promise<readonly TicketView[]>;
  /**
   * Resolves when the ticket is decided or expired (woken by change notices, also from other processes on
   * PostgreSQL), or after `timeoutMs` with `timedOut: true`.
   * @throws NotFoundError for an unknown ticket; ControlPlaneError `aborted` when `signal` aborts.
   */
  waitForDecision(
    ticketId: string,
    options: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<WaitResult>;
  /** Settles every pending ticket past its deadline (expired, or escalated per policy); returns how many expired. */
  expireTickets(): Promise<number>;
  /**
   * One recovery pass (run at start-up and by `startMaintenance`): releases expired leases — an executing
   * proposal whose holder stopped heartbeating becomes `outcome_unknown`, stuck cycles are released — and
   * expires or escalates due tickets. Safe in several processes at once: each happens exactly once.
   */
  recover(): Promise<RecoveryReport>;
  /**
   * Runs `recover()` every `intervalMs` until the returned handle is stopped.
   * @throws ValidationError naming `intervalMs`.
   */
  startMaintenance(options: MaintenanceOptions): MaintenanceHandle;
  /**
   * Extends the execution lease of an executing proposal (call it while a long side effect runs).
   * @throws NotFoundError; ControlPlaneError `conflict` when the proposal is not executing or its lease expired.
   */
  heartbeat(proposalId: string, options?: { ttlMs?: number }): Promise<{ expiresAt: number }>;
  /**
   * Creates a token budget: limits on tokens and cost (micro-exact) per UTC calendar window or rolling window,
   * and an allowed-model list, for the callers whose identity it matches (subset rule).
   * @throws ValidationError naming each bad field.
   * @example
   * await cp.createTokenBudget({ identity: { orgId: "acme" }, period: "daily", maxTokens: 1_000_000, maxCost: "25" });
   */
  createTokenBudget(input: TokenBudgetInput): Promise<TokenBudgetView>;
  /** The token budgets that apply to `identity` (subset rule), or every budget when it is absent; oldest first. */
  listTokenBudgets(identity?: TokenIdentityInput): Promise<readonly TokenBudgetView[]>;
  /** The current window of every token budget that applies to `identity`: used, reserved and remaining. */
  tokenBudgetStates(identity?: TokenIdentityInput): Promise<readonly TokenBudgetStateView[]>;
  /**
   * Ledger totals of the calls billed to `identity` (each field it sets must match) from `windowStart` (ms) to
   * now; `undefined` when there was no usage.
   */
  tokenUsageSummary(query: {
    identity?: TokenIdentityInput;
    period: TokenBudgetPeriod;
    windowStart: number;
  }): Promise<TokenUsageSummaryView | undefined>;
  /**
   * Records the actual usage of an allowed model call, once: `reservationId` is `decision.tokenReservationId`.
   * Always recorded (even over a limit); emits `token_usage_recorded`, and `token_budget_exhausted` for each
   * window whose limit this usage reaches.
   * @throws ValidationError; NotFoundError; ControlPlaneError `conflict` when already settled.
   * @example
   * await cp.settleTokens(decision.tokenReservationId!, { inputTokens: 1180, outputTokens: 312 });
   */
  settleTokens(reservationId: string, usage: TokenUsageInput): Promise<TokenSettlementView>;
  /**
   * A token reservation (`decision.tokenReservationId`): its session, model, estimate and status.
   * @throws ValidationError; NotFoundError for an unknown id.
   */
  getTokenReservation(reservationId: string): Promise<TokenReservationView>;
  /**
   * Engages a kill switch (`global`, `agent` or `session` scope) and sweeps its scope: matching sessions are
   * paused or aborted and their pending tickets denied (no limit). Proposals it covers are denied with code
   * `kill_switch` until {@link ControlPlane.resume}. `actor` (1..200 characters) names who engaged it: it is
   * stored as the switch's `engagedBy` and recorded as payload `by` in the kill's audit events.
   * @throws NotFoundError for an unknown session; ValidationError for a bad target, an empty reason or a bad
   * `actor`.
   * @example
   * await cp.kill({ scope: "agent", agentId: "triage-bot", reason: "suspicious burst of replies", actor: "olivia" });
   */
  kill(input: KillTarget & { reason: string; idempotencyKey?: string; actor?: string }): Promise<KillResult>;
  /**
   * Releases a kill switch; aborted sessions stay aborted and paused ones stay paused until resumed. Returns
   * whether it was engaged. `actor` (1..200 characters) is recorded as payload `by` of `kill_switch_released`.
   * @throws ValidationError for a bad target or a bad `actor`.
   */
  resume(input: KillTarget & { idempotencyKey?: string; actor?: string }): Promise<{ released: boolean }>;
  /** Lists kill switches (only the engaged ones with `engagedOnly`). */
  listKillSwitches(options?: { engagedOnly?: boolean }): Promise<readonly KillSwitchRecord[]>;
  /**
   * Registers (or updates) an agent and its capabilities; once any agent is registered, proposals of unknown
   * agents or outside their capabilities are denied.
   * @throws ValidationError naming each bad field.
   * @example
   * await cp.registerAgent({ id: "billing-bot", capabilities: ["read_ticket", "issue_refund"] });
   */
  registerAgent(input: AgentInput & { idempotencyKey?: string }): Promise<AgentRecord>;
  /**
   * Reads a registered agent.
   * @throws NotFoundError for an unknown id.
   */
  getAgent(agentId: string): Promise<AgentRecord>;
  /** Lists registered agents ordered by id, optionally those having any of `tags`. */
  listAgents(query?: {
    tags?: readonly string[];
    limit?: number;
    offset?: number;
  }): Promise<readonly AgentRecord[]>;
  /**
   * Records that `fromAgentId` delegated `task` to `toAgentId` (optionally in one session), in the audit log.
   * @throws ValidationError naming each missing field.
   */
  recordDelegation(input: {
    fromAgentId: string;
    toAgentId: string;
    task: string;
    sessionId?: string;
    idempotencyKey?: string;
  }): Promise<DelegationRecord>;
  /**
   * Lists recorded delegations from or to `agentId` (all when absent), oldest first (`limit` default 100, at
   * most 1000).
   * @throws ValidationError naming `limit`.
   */
  listDelegations(query?: { agentId?: string; limit?: number }): Promise<readonly DelegationRecord[]>;
  /**
   * Takes the session's single active cycle as a lease for `owner`.
   * @throws NotFoundError; ControlPlaneError `conflict` when another owner holds a live cycle.
   */
  beginCycle(sessionId: string, input: { owner: string; ttlMs: number }): Promise<{ expiresAt: number }>;
  /**
   * Extends the session's cycle lease held by `owner`, never beyond `maxCycleMs` after it began: a cycle active
   * longer than that is stuck, and recovery releases it.
   * @throws ControlPlaneError `conflict` when `owner` holds no live cycle.
   */
  renewCycle(sessionId: string, input: { owner: string; ttlMs: number }): Promise<{ expiresAt: number }>;
  /** Releases the session's cycle if `owner` holds it; returns whether it did. */
  endCycle(sessionId: string, owner: string): Promise<boolean>;
  /**
   * The session's audit events with `seq > afterSeq`, ascending (gap-free per session).
   * @throws NotFoundError for an unknown session.
   */
  events(sessionId: string, query?: { afterSeq?: number; limit?: number }): Promise<readonly EventRecord[]>;
  /**
   * The global feed of events with `id > afterId`, ascending (resume from the last id seen).
   * @example
   * let after = 0;
   * for (const e of await cp.feed({ afterId: after, limit: 100 })) after = e.id;
   */
  feed(query?: { afterId?: number; sessionId?: string; limit?: number }): Promise<readonly EventRecord[]>;
  /**
   * The id of the newest event of the global feed visible now (0 when empty): start a live tail with
   * `feed({ afterId: await cp.feedHead() })` to get only what happens from now on. Takes O(log n) small reads.
   * @example
   * let after = await cp.feedHead();
   * for (const e of await cp.feed({ afterId: after })) after = e.id; // only new events
   */
  feedHead(): Promise<number>;
  /**
   * Calls `listener` soon after a transaction of THIS control plane that appended events to the feed commits
   * (several commits of one turn of the event loop: one call). A call only means "read the feed again": the
   * feed decides what is visible (on PostgreSQL it may still hide the new event while an older one commits).
   * Commits of other processes sharing the database, and writes inside a host's own transaction, are not
   * announced: poll the feed as well. Costs nothing when nobody listens; a throwing listener is ignored.
   * Returns the function that stops the calls (call it when done: listeners are held until then).
   * @throws ValidationError when `listener` is not a function.
   * @example
   * let dirty = true;
   * const stop = cp.watchFeed(() => { dirty = true; }); // then: when dirty (or every few seconds), reset it
   * // and read cp.feed({ afterId: after }) — commits during that read set it again: one more read, not one each
   * stop();
   */
  watchFeed(listener: () => void): () => void;
  /**
   * The newest signed checkpoint of the audit log's Merkle tree (sealed by the maintenance loop when the control
   * plane has `auditKeys`), or `undefined` before the first one. Keep copies of it apart from the database: a
   * later export must extend it (`acp audit verify --trusted-checkpoint`).
   * @example
   * const cp0 = await cp.latestCheckpoint(); // { origin, size, rootHash, note, ... }
   */
  latestCheckpoint(): Promise<CheckpointView | undefined>;
  /**
   * Seals a checkpoint now if the feed grew since the latest one; returns it (`undefined`: nothing new).
   * @throws ControlPlaneError `validation_failed` without `auditKeys`.
   */
  sealCheckpoint(): Promise<CheckpointView | undefined>;
  /**
   * Seals the feed (if it grew) and returns the self-contained audit bundle: events, newest checkpoint, inclusion
   * and consistency proofs, public keys. Verify it offline with `verifyAuditBundle` or `acp audit verify`.
   * `undefined` when the feed is empty.
   * @throws ControlPlaneError `validation_failed` without `auditKeys`.
   */
  exportAudit(): Promise<AuditBundle | undefined>;
  /**
   * Verifies the stored audit log (one session, or every session): recomputes each session's hash chain (every
   * event's link is SHA-256 of the previous link and the event's RFC 8785 canonical JSON) and compares it with
   * the links, sequence numbers and session heads in the database. Reports edits, deletions, reordering and
   * truncation made behind the control plane's back (e.g. by direct SQL); never writes.
   * @throws ValidationError for a bad query; NotFoundError for an unknown session.
   * @example
   * const report = await cp.verifyAudit({ sessionId: session.id });
   * if (!report.ok) for (const p of report.problems) console.error(p.kind, p.seq, p.detail);
   */
  verifyAudit(query?: VerifyAuditQuery): Promise<AuditReport>;
  /** Counts for a dashboard or a health check: sessions by status, pending tickets, engaged kill switches. */
  health(): Promise<HealthSnapshot>;
  /** Stops accepting calls (later calls fail with `closed`). The storage is not closed (the caller owns it). */
  close(): Promise<void>;
}
