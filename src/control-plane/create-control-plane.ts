import {
  type AgentInput,
  parseAgentInput,
  recordDelegation,
  registerAgent,
} from "../engines/agents/agent-registry.js";
import {
  engageKillSwitch,
  type KillResult,
  type KillTarget,
  killTargetId,
  releaseKillSwitch,
} from "../engines/kill-switch/kill-switch.js";
import type { CompiledPolicy } from "../engines/policy/compiled-policy.js";
import { NotFoundError } from "../errors/control-plane-error.js";
import { ValidationError } from "../errors/validation-error.js";
import type { AgentRecord, DelegationRecord } from "../types/agent.js";
import type { EventRecord } from "../types/event.js";
import type { KillSwitchRecord } from "../types/kill-switch.js";
import type { ProposalInput } from "../types/proposal.js";
import type { ProposalStatus } from "../types/proposal-record.js";
import type { SessionStatus } from "../types/session.js";
import type { TicketStatus } from "../types/ticket.js";
import { type CallOptions, type CompletionInput, complete, propose } from "./action-api.js";
import { type ApproveInput, type DenyInput, decide, getTicket, settleDueTickets } from "./approval-api.js";
import { beginCycle, endCycle, renewCycle } from "./cycles-api.js";
import type { Decision } from "./decision.js";
import {
  heartbeat,
  type MaintenanceHandle,
  type MaintenanceOptions,
  type RecoveryReport,
  recover,
  startMaintenance,
} from "./maintenance.js";
import { type ControlPlaneOptions, resolveOptions } from "./options.js";
import { createRuntime } from "./runtime.js";
import {
  changeSession,
  getSession,
  listSessions,
  mustSession,
  type OpenSessionInput,
  openSession,
  page,
  requireId,
} from "./session-api.js";
import { type ProposalView, proposalView, type SessionView, type TicketView, ticketView } from "./views.js";
import { type WaitResult, waitForDecision } from "./wait-for-decision.js";

/** Counts for a health snapshot. */
export interface HealthSnapshot {
  readonly sessions: Readonly<Record<SessionStatus, number>>;
  readonly pendingTickets: number;
  readonly engagedKillSwitches: number;
  readonly capturedAt: number;
}

/**
 * The control plane: one object through which an agent runtime proposes actions and reports outcomes, and
 * operators approve, deny, halt and audit. Every method validates its input eagerly (a `ValidationError` names
 * the bad field and nothing changes) and every state change is recorded in the audit log in the same
 * transaction.
 */
export interface ControlPlane {
  /** The default policy of new sessions. */
  readonly policy: CompiledPolicy;
  openSession(input?: OpenSessionInput): Promise<SessionView>;
  getSession(sessionId: string): Promise<SessionView>;
  listSessions(query?: {
    statuses?: readonly SessionStatus[];
    agentId?: string;
    limit?: number;
    offset?: number;
  }): Promise<readonly SessionView[]>;
  /** The session's frozen policy snapshot. */
  getSessionPolicy(sessionId: string): Promise<CompiledPolicy>;
  activateSession(sessionId: string, options?: { idempotencyKey?: string }): Promise<SessionView>;
  pauseSession(
    sessionId: string,
    reason?: string,
    options?: { idempotencyKey?: string },
  ): Promise<SessionView>;
  resumeSession(sessionId: string, options?: { idempotencyKey?: string }): Promise<SessionView>;
  /**
   * Completes a session (active or paused); its pending tickets are denied and their holds released. Work
   * still executing keeps its resource lock until `complete()` or lease expiry.
   */
  closeSession(sessionId: string, options?: { idempotencyKey?: string }): Promise<SessionView>;
  abortSession(
    sessionId: string,
    reason: string,
    options?: { idempotencyKey?: string },
  ): Promise<SessionView>;
  /** Decides a proposed action. A denial is a value, not an exception. */
  propose(input: ProposalInput, options?: CallOptions): Promise<Decision>;
  /** Records the outcome of an allowed action, reconciles its budget and releases its lock. */
  complete(proposalId: string, input: CompletionInput, options?: CallOptions): Promise<ProposalView>;
  getProposal(proposalId: string): Promise<ProposalView>;
  listProposals(query?: {
    sessionId?: string;
    statuses?: readonly ProposalStatus[];
    limit?: number;
    offset?: number;
  }): Promise<readonly ProposalView[]>;
  approve(ticketId: string, input: ApproveInput): Promise<TicketView>;
  deny(ticketId: string, input: DenyInput): Promise<TicketView>;
  getTicket(ticketId: string): Promise<TicketView>;
  listTickets(query?: {
    sessionId?: string;
    statuses?: readonly TicketStatus[];
    limit?: number;
    offset?: number;
  }): Promise<readonly TicketView[]>;
  /** Resolves when the ticket is decided or expired, or after `timeoutMs` with `timedOut: true`. */
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
  /** Runs `recover()` every `intervalMs` until stopped. */
  startMaintenance(options: MaintenanceOptions): MaintenanceHandle;
  /** Extends the execution lease of an executing proposal (call it while a long side effect runs). */
  heartbeat(proposalId: string, options?: { ttlMs?: number }): Promise<{ expiresAt: number }>;
  /** Engages a kill switch and sweeps its scope (all matching sessions and tickets, no limit). */
  kill(input: KillTarget & { reason: string; idempotencyKey?: string }): Promise<KillResult>;
  /** Releases a kill switch. Returns whether it was engaged. */
  resume(input: KillTarget & { idempotencyKey?: string }): Promise<{ released: boolean }>;
  listKillSwitches(options?: { engagedOnly?: boolean }): Promise<readonly KillSwitchRecord[]>;
  registerAgent(input: AgentInput & { idempotencyKey?: string }): Promise<AgentRecord>;
  getAgent(agentId: string): Promise<AgentRecord>;
  listAgents(query?: {
    tags?: readonly string[];
    limit?: number;
    offset?: number;
  }): Promise<readonly AgentRecord[]>;
  recordDelegation(input: {
    fromAgentId: string;
    toAgentId: string;
    task: string;
    sessionId?: string;
    idempotencyKey?: string;
  }): Promise<DelegationRecord>;
  /** Takes the session's single active cycle as a lease for `owner` (conflict if another owner holds it). */
  beginCycle(sessionId: string, input: { owner: string; ttlMs: number }): Promise<{ expiresAt: number }>;
  /**
   * Extends the session's cycle lease held by `owner`, never beyond `maxCycleMs` after it began: a cycle active
   * longer than that is stuck, and recovery releases it.
   */
  renewCycle(sessionId: string, input: { owner: string; ttlMs: number }): Promise<{ expiresAt: number }>;
  /** Releases the session's cycle if `owner` holds it; returns whether it did. */
  endCycle(sessionId: string, owner: string): Promise<boolean>;
  /** The session's audit events with `seq > afterSeq`, ascending. */
  events(sessionId: string, query?: { afterSeq?: number; limit?: number }): Promise<readonly EventRecord[]>;
  /** The global feed of events with `id > afterId` (resume from the last id seen). */
  feed(query?: { afterId?: number; sessionId?: string; limit?: number }): Promise<readonly EventRecord[]>;
  health(): Promise<HealthSnapshot>;
  /** Stops accepting calls. The storage is not closed (the caller owns it). */
  close(): Promise<void>;
}

/**
 * Creates a control plane over a storage adapter and a default policy.
 * @throws ValidationError naming each bad option (and every problem of the policy).
 * @example
 * const cp = await createControlPlane({ storage: createMemoryStorage(), policy: "policy.yaml" });
 * const session = await cp.openSession({ budget: { maxActions: 10 } });
 * const d = await cp.propose({ sessionId: session.id, action: "read_file", resourceId: "README.md" });
 * if (d.outcome === "allowed") await cp.complete(d.proposalId, { ok: true });
 */
export async function createControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const rt = createRuntime(resolveOptions(options));
  if (rt.recoverOnStart) await recover(rt);
  const read = rt.storage.read.bind(rt.storage);
  return {
    policy: rt.policy,
    openSession: (input) => openSession(rt, input),
    getSession: (id) => getSession(rt, id),
    listSessions: (query) => listSessions(rt, query),
    async getSessionPolicy(id) {
      requireId(id, "sessionId");
      return read(async (tx) => rt.policyFor(tx, await mustSession(tx, id)));
    },
    activateSession: (id, o) => changeSession(rt, id, "activate", null, o?.idempotencyKey),
    pauseSession: (id, reason, o) => changeSession(rt, id, "pause", reason ?? null, o?.idempotencyKey),
    resumeSession: (id, o) => changeSession(rt, id, "resume", null, o?.idempotencyKey),
    closeSession: (id, o) => changeSession(rt, id, "complete", null, o?.idempotencyKey),
    async abortSession(id, reason, o) {
      requireId(reason, "reason");
      return changeSession(rt, id, "abort", reason, o?.idempotencyKey);
    },
    propose: (input, o) => propose(rt, input, o),
    complete: (id, input, o) => complete(rt, id, input, o),
    async getProposal(id) {
      requireId(id, "proposalId");
      const p = await read((tx) => tx.proposals.get(id));
      if (!p) throw new NotFoundError("proposal", id);
      return proposalView(p);
    },
    async listProposals(query = {}) {
      const rows = await read((tx) => tx.proposals.list({ ...query, ...page(query) }));
      return rows.map(proposalView);
    },
    approve: (id, input) => decide(rt, id, "approve", input),
    deny: (id, input) => decide(rt, id, "deny", input),
    getTicket: (id) => getTicket(rt, id),
    async listTickets(query = {}) {
      const rows = await read((tx) => tx.tickets.list({ ...query, ...page(query) }));
      return rows.map(ticketView);
    },
    waitForDecision: (id, o) => waitForDecision(rt, id, o),
    expireTickets: async () => (await settleDueTickets(rt)).expired,
    recover: () => recover(rt),
    startMaintenance: (o) => startMaintenance(rt, o),
    heartbeat: (id, o) => heartbeat(rt, id, o?.ttlMs),
    async kill(input) {
      if (input === null || typeof input !== "object")
        throw new ValidationError([{ path: "(root)", message: "expected an object" }]);
      killTargetId(input);
      requireId(input.reason, "reason");
      return rt.mutate("kill", input.idempotencyKey, async (tx, now) => {
        if (input.scope === "session") await mustSession(tx, input.sessionId!);
        return engageKillSwitch(tx, input, input.reason, now);
      });
    },
    async resume(input) {
      if (input === null || typeof input !== "object")
        throw new ValidationError([{ path: "(root)", message: "expected an object" }]);
      killTargetId(input);
      return rt.mutate("resume", input.idempotencyKey, async (tx, now) => ({
        released: (await releaseKillSwitch(tx, input, now)) !== undefined,
      }));
    },
    listKillSwitches: (o = {}) => read((tx) => tx.killSwitches.list(o)),
    async registerAgent(input) {
      const agent = parseAgentInput(input, rt.clock.now());
      return rt.mutate("registerAgent", input.idempotencyKey, (tx) => registerAgent(tx, agent));
    },
    async getAgent(id) {
      requireId(id, "agentId");
      const agent = await read((tx) => tx.agents.get(id));
      if (!agent) throw new NotFoundError("agent", id);
      return agent;
    },
    listAgents: (query = {}) => read((tx) => tx.agents.list({ ...query, ...page(query) })),
    async recordDelegation(input) {
      requireId(input?.fromAgentId, "fromAgentId");
      requireId(input.toAgentId, "toAgentId");
      requireId(input.task, "task");
      if (input.sessionId !== undefined) requireId(input.sessionId, "sessionId");
      return rt.mutate("recordDelegation", input.idempotencyKey, (tx, now) =>
        recordDelegation(tx, {
          id: rt.ids(),
          fromAgentId: input.fromAgentId,
          toAgentId: input.toAgentId,
          sessionId: input.sessionId ?? null,
          task: input.task,
          createdAt: now,
        }),
      );
    },
    beginCycle: (id, input) => beginCycle(rt, id, input),
    renewCycle: (id, input) => renewCycle(rt, id, input),
    endCycle: (id, owner) => endCycle(rt, id, owner),
    async events(sessionId, query = {}) {
      requireId(sessionId, "sessionId");
      const { limit } = page(query);
      return read(async (tx) => {
        await mustSession(tx, sessionId);
        return tx.events.list(sessionId, { limit, afterSeq: query.afterSeq ?? 0 });
      });
    },
    async feed(query = {}) {
      const { limit } = page(query);
      return read((tx) =>
        tx.events.feed({
          limit,
          afterId: query.afterId ?? 0,
          ...(query.sessionId ? { sessionId: query.sessionId } : {}),
        }),
      );
    },
    health: () =>
      read(async (tx) => ({
        sessions: await tx.sessions.countByStatus(),
        pendingTickets: await tx.tickets.countPending(),
        engagedKillSwitches: (await tx.killSwitches.list({ engagedOnly: true })).length,
        capturedAt: rt.clock.now(),
      })),
    async close() {
      rt.closed = true;
    },
  };
}
