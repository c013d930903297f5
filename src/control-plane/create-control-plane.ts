import { parseAgentInput, recordDelegation, registerAgent } from "../engines/agents/agent-registry.js";
import { cycleLeaseKey } from "../engines/concurrency/cycle-lease.js";
import { engageKillSwitch, killTargetId, releaseKillSwitch } from "../engines/kill-switch/kill-switch.js";
import { NotFoundError } from "../errors/control-plane-error.js";
import { assertKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError } from "../errors/validation-error.js";
import { instrumentControlPlane } from "../telemetry/instrument-control-plane.js";
import { formatMicros } from "../types/money.js";
import { complete, propose } from "./action-api.js";
import { decide, getTicket, settleDueTickets } from "./approval-api.js";
import { exportAudit, latestCheckpoint, sealCheckpoint } from "./audit-api.js";
import type { ControlPlane } from "./control-plane.js";
import { beginCycle, endCycle, renewCycle } from "./cycles-api.js";
import { feedHead } from "./feed-head.js";
import { createFeedNotices, type FeedNotices } from "./feed-notices.js";
import { heartbeat, recover, startMaintenance } from "./maintenance.js";
import { type ControlPlaneOptions, resolveOptions } from "./options.js";
import { createRuntime, type Runtime } from "./runtime.js";
import {
  changeSession,
  checkActor,
  getSession,
  listSessions,
  mustSession,
  openSession,
  page,
  requireId,
} from "./session-api.js";
import {
  createTokenBudget,
  getTokenReservation,
  listTokenBudgets,
  settleTokens,
  tokenBudgetStates,
  tokenUsageSummary,
} from "./token-budget-api.js";
import { verifyAuditApi } from "./verify-audit-api.js";
import { proposalView, ticketView } from "./views.js";
import { waitForDecision } from "./wait-for-decision.js";

export type { ControlPlane, HealthSnapshot, OperatorCallOptions } from "./control-plane.js";

const KEYS = {
  callOptions: ["idempotencyKey"],
  operatorOptions: ["idempotencyKey", "actor"],
  proposals: ["sessionId", "statuses", "limit", "offset"],
  tickets: ["sessionId", "statuses", "limit", "offset"],
  agents: ["tags", "limit", "offset"],
  agent: ["id", "name", "capabilities", "tags", "idempotencyKey"],
  delegation: ["fromAgentId", "toAgentId", "task", "sessionId", "idempotencyKey"],
  delegations: ["agentId", "limit"],
  kill: ["scope", "agentId", "sessionId", "reason", "idempotencyKey", "actor"],
  resume: ["scope", "agentId", "sessionId", "idempotencyKey", "actor"],
  killSwitches: ["engagedOnly"],
  heartbeat: ["ttlMs"],
  events: ["afterSeq", "limit"],
  feed: ["afterId", "sessionId", "limit"],
} as const satisfies Record<string, readonly string[]>;

/** Unknown keys of an optional argument are errors (a misspelt option must not be silently ignored). */
function known(input: unknown, keys: readonly string[], subject: string): void {
  assertKnownKeys(input, keys, "", subject);
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
  const resolved = resolveOptions(options);
  const notices = createFeedNotices();
  const rt = createRuntime({ ...resolved, storage: notices.track(resolved.storage) });
  if (rt.recoverOnStart) await recover(rt);
  return instrumentControlPlane(facade(rt, notices), resolved.telemetry);
}

/** The facade's methods over a runtime (without telemetry). */
function facade(rt: Runtime, notices: FeedNotices): ControlPlane {
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
    async activateSession(id, o) {
      known(o, KEYS.callOptions, "options");
      return changeSession(rt, id, "activate", null, o?.idempotencyKey);
    },
    async pauseSession(id, reason, o) {
      known(o, KEYS.operatorOptions, "options");
      return changeSession(rt, id, "pause", reason ?? null, o?.idempotencyKey, o?.actor);
    },
    async resumeSession(id, o) {
      known(o, KEYS.operatorOptions, "options");
      return changeSession(rt, id, "resume", null, o?.idempotencyKey, o?.actor);
    },
    async closeSession(id, o) {
      known(o, KEYS.operatorOptions, "options");
      return changeSession(rt, id, "complete", null, o?.idempotencyKey, o?.actor);
    },
    async abortSession(id, reason, o) {
      known(o, KEYS.operatorOptions, "options");
      requireId(reason, "reason");
      return changeSession(rt, id, "abort", reason, o?.idempotencyKey, o?.actor);
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
      known(query, KEYS.proposals, "proposal query");
      const rows = await read((tx) => tx.proposals.list({ ...query, ...page(query) }));
      return rows.map(proposalView);
    },
    approve: (id, input) => decide(rt, id, "approve", input),
    deny: (id, input) => decide(rt, id, "deny", input),
    getTicket: (id) => getTicket(rt, id),
    async listTickets(query = {}) {
      known(query, KEYS.tickets, "ticket query");
      const rows = await read((tx) => tx.tickets.list({ ...query, ...page(query) }));
      return rows.map(ticketView);
    },
    waitForDecision: (id, o) => waitForDecision(rt, id, o),
    expireTickets: async () => (await settleDueTickets(rt)).expired,
    recover: () => recover(rt),
    startMaintenance: (o) => startMaintenance(rt, o),
    createTokenBudget: (input) => createTokenBudget(rt, input),
    listTokenBudgets: (identity) => listTokenBudgets(rt, identity),
    tokenBudgetStates: (identity) => tokenBudgetStates(rt, identity),
    tokenUsageSummary: (query) => tokenUsageSummary(rt, query),
    settleTokens: (id, usage) => settleTokens(rt, id, usage),
    getTokenReservation: (id) => getTokenReservation(rt, id),
    async heartbeat(id, o) {
      known(o, KEYS.heartbeat, "heartbeat options");
      return heartbeat(rt, id, o?.ttlMs);
    },
    async kill(input) {
      if (input === null || typeof input !== "object")
        throw new ValidationError([{ path: "(root)", message: "expected an object" }]);
      known(input, KEYS.kill, "kill");
      killTargetId(input);
      requireId(input.reason, "reason");
      checkActor(input.actor);
      const request = { ...input, idempotencyKey: undefined };
      return rt.mutate("kill", input.idempotencyKey, request, async (tx, now) => {
        if (input.scope === "session") await mustSession(tx, input.sessionId!);
        return engageKillSwitch(tx, input, input.reason, now, input.actor);
      });
    },
    async resume(input) {
      if (input === null || typeof input !== "object")
        throw new ValidationError([{ path: "(root)", message: "expected an object" }]);
      known(input, KEYS.resume, "resume");
      killTargetId(input);
      checkActor(input.actor);
      const request = { ...input, idempotencyKey: undefined };
      return rt.mutate("resume", input.idempotencyKey, request, async (tx, now) => ({
        released: (await releaseKillSwitch(tx, input, now, input.actor)) !== undefined,
      }));
    },
    async listKillSwitches(o = {}) {
      known(o, KEYS.killSwitches, "kill switch query");
      return read((tx) => tx.killSwitches.list(o));
    },
    async registerAgent(input) {
      if (input !== null && typeof input === "object") known(input, KEYS.agent, "agent");
      const agent = parseAgentInput(input, rt.clock.now());
      const request = { id: agent.id, name: agent.name, capabilities: agent.capabilities, tags: agent.tags };
      return rt.mutate("registerAgent", input.idempotencyKey, request, (tx) => registerAgent(tx, agent));
    },
    async getAgent(id) {
      requireId(id, "agentId");
      const agent = await read((tx) => tx.agents.get(id));
      if (!agent) throw new NotFoundError("agent", id);
      return agent;
    },
    async listAgents(query = {}) {
      known(query, KEYS.agents, "agent query");
      return read((tx) => tx.agents.list({ ...query, ...page(query) }));
    },
    async recordDelegation(input) {
      if (input !== null && typeof input === "object") known(input, KEYS.delegation, "delegation");
      requireId(input?.fromAgentId, "fromAgentId");
      requireId(input.toAgentId, "toAgentId");
      requireId(input.task, "task");
      if (input.sessionId !== undefined) requireId(input.sessionId, "sessionId");
      const request = { ...input, idempotencyKey: undefined };
      return rt.mutate("recordDelegation", input.idempotencyKey, request, (tx, now) =>
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
    async listDelegations(query = {}) {
      known(query, KEYS.delegations, "delegation query");
      if (query.agentId !== undefined) requireId(query.agentId, "agentId");
      const { limit } = page(query);
      const agentId = query.agentId;
      return read((tx) => tx.agents.listDelegations(agentId === undefined ? { limit } : { agentId, limit }));
    },
    beginCycle: (id, input) => beginCycle(rt, id, input),
    renewCycle: (id, input) => renewCycle(rt, id, input),
    endCycle: (id, owner) => endCycle(rt, id, owner),
    async events(sessionId, query = {}) {
      requireId(sessionId, "sessionId");
      known(query, KEYS.events, "event query");
      const { limit } = page(query);
      return read(async (tx) => {
        await mustSession(tx, sessionId);
        return tx.events.list(sessionId, { limit, afterSeq: query.afterSeq ?? 0 });
      });
    },
    async feed(query = {}) {
      known(query, KEYS.feed, "feed query");
      const { limit } = page(query);
      return read((tx) =>
        tx.events.feed({
          limit,
          afterId: query.afterId ?? 0,
          ...(query.sessionId ? { sessionId: query.sessionId } : {}),
        }),
      );
    },
    feedHead: () => read(feedHead),
    latestCheckpoint: () => latestCheckpoint(rt),
    sealCheckpoint: () => sealCheckpoint(rt),
    exportAudit: () => exportAudit(rt),
    watchFeed(listener) {
      if (typeof listener !== "function") {
        throw new ValidationError([{ path: "listener", message: "expected a function", received: listener }]);
      }
      return notices.watch(listener);
    },
    verifyAudit: (query) => verifyAuditApi(rt, query),
    health: () =>
      read(async (tx) => ({
        sessions: await tx.sessions.countByStatus(),
        pendingTickets: await tx.tickets.countPending(),
        engagedKillSwitches: (await tx.killSwitches.list({ engagedOnly: true })).length,
        activeCycles: await tx.leases.countLive(cycleLeaseKey(""), rt.clock.now()),
        outcomeUnknown: await tx.proposals.countWithStatus("outcome_unknown"),
        budgetUsed: await tx.sessions.budgetUsed().then((u) => ({
          cost: formatMicros(u.cost),
          actions: u.actions,
        })),
        capturedAt: rt.clock.now(),
      })),
    async close() {
      rt.closed = true;
    },
  };
}
