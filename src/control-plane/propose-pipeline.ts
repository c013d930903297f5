import { sessionAuthority } from "../engines/agents/session-authority.js";
import { requestApproval } from "../engines/approvals/approval-gate.js";
import { reserveBudget } from "../engines/budgets/budget-tracker.js";
import {
  executionLeaseKey,
  lockResource,
  resourceLockKey,
  unlockResource,
} from "../engines/concurrency/resource-lock.js";
import { recordIdempotent, replayIdempotent } from "../engines/idempotency/idempotent.js";
import type { CompiledPolicy } from "../engines/policy/compiled-policy.js";
import { classifyRisk } from "../engines/policy/evaluate-policy.js";
import { firstDeadline, NO_DEADLINE } from "../engines/recovery/approval-timeouts.js";
import type { AgentPolicy } from "../engines/router/route-proposal.js";
import type { SessionRiskAssessment } from "../engines/session-risk/assess-session-risk.js";
import { accumulateSessionRisk } from "../engines/session-risk/session-risk-service.js";
import { transitionSession } from "../engines/sessions/session-service.js";
import { EXECUTABLE_STATUSES } from "../engines/sessions/session-transitions.js";
import type { ResolvedPriceTable } from "../engines/token-budgets/price-table.js";
import { reserveTokens } from "../engines/token-budgets/reserve-tokens.js";
import { releaseTokenReservation } from "../engines/token-budgets/settle-tokens.js";
import { NotFoundError } from "../errors/control-plane-error.js";
import type { StorageTx } from "../storage/storage.js";
import type { AgentRecord } from "../types/agent.js";
import type { DecisionCode, RoutingDecision, TraceEntry } from "../types/decision.js";
import type { JsonValue } from "../types/json.js";
import { formatMicros } from "../types/money.js";
import type { Proposal } from "../types/proposal.js";
import type { ProposalStatus } from "../types/proposal-record.js";
import type { SessionRecord } from "../types/session.js";
import { claimApproved } from "./claim-approved.js";
import type { Decision } from "./decision.js";
import {
  budgetReason,
  denyAfterRouting,
  denyBeforeRouting,
  finish,
  OPERATION,
  type PersistInput,
  persist,
  toDecision,
} from "./decision-records.js";

/** What the pipeline needs from the facade. */
export interface PipelineContext {
  readonly proposal: Proposal;
  /** `proposalFingerprint` of the whole proposal: the retry lookup, and the request an idempotency key binds. */
  readonly fingerprint: string;
  readonly idempotencyKey: string | undefined;
  readonly now: number;
  readonly newId: () => string;
  readonly lockTtlMs: number;
  readonly policyFor: (tx: StorageTx, session: SessionRecord) => CompiledPolicy | Promise<CompiledPolicy>;
  /** Runs the decision core; may return a promise when evaluators run. */
  readonly route: (
    policy: CompiledPolicy,
    proposal: Proposal,
    agent: AgentRecord | null | undefined,
    sessionRisk?: SessionRiskAssessment,
  ) => RoutingDecision | Promise<RoutingDecision>;
  /** A routing decision computed outside the transaction (second pass, after evaluators). */
  readonly routed?: RoutingDecision;
  /** How identity problems are treated (also used for session ownership); default `enforce`. */
  readonly agentPolicy?: AgentPolicy;
  /** Token budgets: the price table and how long a reservation is held (default: none priced, 15 minutes). */
  readonly tokens?: { readonly prices: ResolvedPriceTable; readonly ttlMs: number };
}

const NO_PRICES: ResolvedPriceTable = new Map();

/** The pipeline either decided, or needs evaluators to run outside the transaction first. */
export type PipelineResult =
  | { readonly kind: "decided"; readonly decision: Decision }
  | { readonly kind: "route_async"; readonly routing: Promise<RoutingDecision> };

/** A retry of the same action finds its predecessor in these states (waiting for, or granted, approval). */
const RETRY_STATUSES: readonly ProposalStatus[] = ["approved", "pending_approval"];

/**
 * Runs every stateful step of DESIGN.md section 2 inside ONE transaction: session and kill switch, session
 * risk (policy `sessionRisk`: the stored state locked, assessed before the tier, written back), router (when
 * synchronous; it applies the model governor), approval scope or ticket, budget reservation, resource lock,
 * proposal row and audit events, idempotency record. Returns the decision; nothing is committed when it throws.
 */
export async function runProposePipeline(tx: StorageTx, ctx: PipelineContext): Promise<PipelineResult> {
  const { proposal: p, now } = ctx;
  const replayed = await replayIdempotent(tx, ctx.idempotencyKey, OPERATION, ctx.fingerprint);
  if (replayed !== undefined) return { kind: "decided", decision: replayed as unknown as Decision };

  // One read for everything the decision needs (one round trip on PostgreSQL).
  const context = await tx.decisionContext({
    sessionId: p.sessionId,
    agentId: p.agentId,
    fingerprint: ctx.fingerprint,
    retryStatuses: RETRY_STATUSES,
  });
  let session = context.session;
  if (!session) throw new NotFoundError("session", p.sessionId);
  const found = ctx.policyFor(tx, session);
  const policy = found instanceof Promise ? await found : found;
  const agentId = context.agentId;
  const trace: TraceEntry[] = [];
  // Denials before routing (module functions, not per-call closures: the hot path allocates none of them).
  const preRouting = (code: DecisionCode, reason: string) =>
    denyBeforeRouting(tx, ctx, session!, policy, trace, code, reason);

  // The kill switch first: an agent stopped by one is told so (and why), whatever the session's state.
  const kill = context.killSwitch;
  if (kill) return preRouting("kill_switch", `kill switch engaged (${kill.scope}): ${kill.reason}`);
  if (!EXECUTABLE_STATUSES.includes(session.status)) {
    return preRouting("session_not_executable", `session is ${session.status}`);
  }
  trace.push({ step: "kill_switch", result: "clear" });
  // Sessions belong to agents: the owner or its delegates (a delegation read only for a non-owner).
  const checked = sessionAuthority(tx, session, context, ctx.agentPolicy);
  const authority = checked instanceof Promise ? await checked : checked;
  if (authority.denial) return preRouting(authority.denial.code, authority.denial.reason);
  if (authority.trace) trace.push(authority.trace);

  const retry = context.retry;
  if (retry?.status === "pending_approval" && retry.ticketId !== null) {
    return finish(tx, ctx, toDecision(retry, retry.trace, []));
  }
  if (retry?.status === "approved") {
    const claimed = await claimApproved(tx, ctx, session, retry);
    // Lost to a concurrent retry (PostgreSQL): decided as a new proposal, as if it had come after the winner.
    if (claimed) return finish(tx, ctx, claimed);
  }

  let routing = ctx.routed;
  if (!routing) {
    const agent = authority.agent ?? null;
    const enforced = context.anyAgent;
    const acting = p.agentId === null && agentId !== null ? { ...p, agentId } : p;
    // Session risk before the tier (stored state, locked and written in this transaction): an escalation can
    // make an auto-approvable action need a human. With evaluators, this first transaction commits it.
    const riskPolicy = policy.internals.sessionRisk;
    const sessionRisk =
      riskPolicy &&
      (await accumulateSessionRisk(tx, riskPolicy, {
        sessionId: session.id,
        agentId,
        action: p.action,
        actionRisk: classifyRisk(policy, acting),
        now,
      }));
    const routed = ctx.route(policy, acting, enforced ? agent : undefined, sessionRisk);
    if (routed instanceof Promise) return { kind: "route_async", routing: routed };
    routing = routed;
  }
  trace.push(...routing.trace);
  if (session.status === "created") session = await activateOnFirstProposal(tx, session, now);

  const warnings = authority.warning ? [authority.warning, ...routing.warnings] : routing.warnings;
  const base = { tier: routing.tier, riskLevel: routing.riskLevel, trace, warnings };
  if (routing.verdict === "deny") {
    return finish(
      tx,
      ctx,
      await persist(tx, ctx, session, {
        ...base,
        outcome: "denied",
        status: "denied",
        code: routing.code,
        reason: routing.reason,
      }),
    );
  }
  if (routing.verdict === "steer") {
    const steered = await persist(tx, ctx, session, {
      ...base,
      outcome: "steered",
      status: "steered",
      code: "steered",
      reason: routing.reason,
    });
    return finish(tx, ctx, { ...steered, outcome: "steered", steering: routing.steering } as Decision);
  }

  const proposalId = ctx.newId();
  const lockKey = resourceLockKey(p.resourceType, p.resourceId);

  // The execution lease (the resource lock, or a lease of its own when the proposal names no resource), then the
  // budget, then — for actions that need a human — an approval scope. This order consumes a scope unit only for
  // an action that is really allowed, and never asks a human for an action the budget cannot cover.
  const execKey = lockKey ?? executionLeaseKey({ id: proposalId, resourceType: null, resourceId: null });
  if (
    !(await lockResource(tx, execKey, {
      owner: proposalId,
      sessionId: session.id,
      expiresAt: now + ctx.lockTtlMs,
      now,
    }))
  ) {
    return denyAfterRouting(
      tx,
      ctx,
      session,
      base,
      proposalId,
      "resource_locked",
      `resource ${p.resourceId} is locked by another proposal`,
    );
  }
  const reserved = await reserveBudget(tx, session.id, p.costMicros, now);
  if (!reserved) {
    await unlockResource(tx, execKey, proposalId);
    return denyAfterRouting(
      tx,
      ctx,
      session,
      base,
      proposalId,
      "budget_exhausted",
      budgetReason(session, p.costMicros),
    );
  }
  // A model call reserves its estimate against every token budget of its identity (refusal: give back the rest).
  let tokenReservationId: string | undefined;
  if (p.model !== null) {
    const tokens = await reserveTokens(tx, {
      reservationId: ctx.newId(),
      sessionId: session.id,
      call: p.model,
      prices: ctx.tokens?.prices ?? NO_PRICES,
      now,
      ttlMs: ctx.tokens?.ttlMs ?? 15 * 60_000,
    });
    if (!tokens.ok) {
      await tx.sessions.adjustBudget(session.id, -p.costMicros, -1, now);
      await unlockResource(tx, execKey, proposalId);
      return denyAfterRouting(tx, ctx, session, base, proposalId, tokens.code, tokens.reason);
    }
    tokenReservationId = tokens.reservationId;
    trace.push(tokens.trace);
  }
  if (routing.verdict === "approve") {
    const scoped = await tx.tickets.consumeScope({
      sessionId: session.id,
      action: p.action,
      resourceId: p.resourceId,
      cost: p.costMicros,
      now,
    });
    if (!scoped) {
      if (tokenReservationId !== undefined) await releaseTokenReservation(tx, tokenReservationId);
      return requestHuman(tx, ctx, reserved, policy, routing, { proposalId, execKey, lockKey, trace, base });
    }
    trace.push({ step: "approval", result: "scope", detail: `ticket ${scoped.id}` });
  }
  trace.push({ step: "budget", result: "reserved", detail: formatMicros(p.costMicros) });
  const code: DecisionCode = routing.verdict === "approve" ? "approval_scope" : routing.code;
  const reason =
    routing.verdict === "approve" ? "allowed by an approval scope of this session" : routing.reason;
  const allowed = await persist(
    tx,
    ctx,
    reserved,
    { ...base, outcome: "allowed", status: "executing", code, reason, reservedCost: p.costMicros },
    proposalId,
  );
  return finish(tx, ctx, tokenReservationId === undefined ? allowed : { ...allowed, tokenReservationId });
}

/**
 * Opens an approval ticket for an action that needs a human and that no scope covers: gives back the budget
 * reservation taken for it (nothing executes yet), keeps the resource locked until the ticket's deadline (plus
 * the lock TTL), stores the proposal as `pending_approval` and records `approval_requested`.
 */
async function requestHuman(
  tx: StorageTx,
  ctx: PipelineContext,
  reserved: SessionRecord,
  policy: CompiledPolicy,
  routing: RoutingDecision,
  held: {
    readonly proposalId: string;
    readonly execKey: string;
    readonly lockKey: string | null;
    readonly trace: TraceEntry[];
    readonly base: Pick<PersistInput, "tier" | "riskLevel" | "trace" | "warnings">;
  },
): Promise<PipelineResult> {
  const { now, proposal: p } = ctx;
  const session = (await tx.sessions.adjustBudget(reserved.id, -p.costMicros, -1, now)) ?? reserved;
  const deadlineAt = firstDeadline(policy.approvals, now);
  if (held.lockKey === null) await unlockResource(tx, held.execKey, held.proposalId);
  else {
    const expiresAt = Math.min(deadlineAt + ctx.lockTtlMs, NO_DEADLINE);
    await lockResource(tx, held.lockKey, { owner: held.proposalId, sessionId: session.id, expiresAt, now });
  }
  const ticketId = ctx.newId();
  held.trace.push({ step: "approval", result: "ticket", detail: ticketId });
  const pending = await persist(
    tx,
    ctx,
    session,
    {
      ...held.base,
      outcome: "pending_approval",
      status: "pending_approval",
      code: "approval_required",
      reason: routing.reason,
      ticketId,
    },
    held.proposalId,
  );
  const record = (await tx.proposals.get(held.proposalId))!;
  await requestApproval(tx, { id: ticketId, proposal: record, deadlineAt, now });
  await recordIdempotent(
    tx,
    ctx.idempotencyKey,
    OPERATION,
    ctx.fingerprint,
    pending as unknown as JsonValue,
    now,
  );
  return { kind: "decided", decision: pending };
}

/**
 * Activates a `created` session on its first proposal. Racing first proposals (several workers) may find it
 * already activated by another: that is success, not an error.
 */
async function activateOnFirstProposal(
  tx: StorageTx,
  session: SessionRecord,
  now: number,
): Promise<SessionRecord> {
  try {
    return await transitionSession(tx, session.id, "activate", null, now);
  } catch (error) {
    const current = await tx.sessions.get(session.id);
    if (current?.status === "active") return current;
    throw error;
  }
}
