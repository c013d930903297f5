import { recordIdempotent } from "../engines/idempotency/idempotent.js";
import type { CompiledPolicy } from "../engines/policy/compiled-policy.js";
import { classifyRisk } from "../engines/policy/evaluate-policy.js";
import type { StorageTx } from "../storage/storage.js";
import type { DecisionCode, Outcome, TraceEntry } from "../types/decision.js";
import type { JsonValue } from "../types/json.js";
import { formatMicros } from "../types/money.js";
import type { ProposalRecord, ProposalStatus } from "../types/proposal-record.js";
import type { SessionRecord } from "../types/session.js";
import type { Decision } from "./decision.js";
import type { PipelineContext, PipelineResult } from "./propose-pipeline.js";

// The proposal rows and `proposal_decided` events that the propose pipeline writes, and the decisions read back.

/** What {@link persist} records with a new proposal. */
export interface PersistInput {
  readonly outcome: Outcome;
  readonly status: ProposalStatus;
  readonly code: DecisionCode;
  readonly reason: string;
  readonly tier: ProposalRecord["tier"];
  readonly riskLevel: ProposalRecord["riskLevel"];
  readonly trace: readonly TraceEntry[];
  readonly warnings: readonly string[];
  readonly ticketId?: string;
  readonly reservedCost?: number;
}

/** Inserts the proposal with its decision and appends `proposal_decided`. */
export async function persist(
  tx: StorageTx,
  ctx: PipelineContext,
  session: SessionRecord,
  d: PersistInput,
  id: string = ctx.newId(),
): Promise<Decision> {
  const p = ctx.proposal;
  // The policy's `redact` fields are stored as a marker; the decision above saw the real values.
  const found = ctx.policyFor(tx, session);
  const redact = (found instanceof Promise ? await found : found).internals.redact;
  const { args, metadata } = redact ? redact(p) : p;
  const record: ProposalRecord = {
    id,
    sessionId: session.id,
    agentId: p.agentId ?? session.agentId,
    action: p.action,
    resourceType: p.resourceType,
    resourceId: p.resourceId,
    args,
    metadata,
    fingerprint: ctx.fingerprint,
    status: d.status,
    outcome: d.outcome,
    code: d.code,
    reason: d.reason,
    riskLevel: d.riskLevel,
    tier: d.tier,
    trace: d.trace,
    ticketId: d.ticketId ?? null,
    cost: p.costMicros,
    reservedCost: d.reservedCost ?? 0,
    actualCost: null,
    output: null,
    error: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    completedAt: null,
  };
  await tx.proposals.insert(record);
  await decidedEvent(tx, record, ctx.now);
  return toDecision(record, d.trace, d.warnings);
}

/** Appends `proposal_decided` for the proposal as it now stands. */
export async function decidedEvent(tx: StorageTx, r: ProposalRecord, now: number): Promise<void> {
  await tx.events.append({
    sessionId: r.sessionId,
    kind: "proposal_decided",
    agentId: r.agentId,
    proposalId: r.id,
    ticketId: r.ticketId,
    payload: {
      action: r.action,
      resourceId: r.resourceId,
      outcome: r.outcome,
      code: r.code,
      tier: r.tier,
      riskLevel: r.riskLevel,
      cost: formatMicros(r.cost),
      reason: r.reason,
    },
    at: now,
  });
}

/** The idempotency operation of a proposal. */
export const OPERATION = "propose";

/** Records the decision under the idempotency key (if any) and returns it. */
export async function finish(
  tx: StorageTx,
  ctx: PipelineContext,
  decision: Decision,
): Promise<PipelineResult> {
  await recordIdempotent(
    tx,
    ctx.idempotencyKey,
    OPERATION,
    ctx.fingerprint,
    decision as unknown as JsonValue,
    ctx.now,
  );
  return { kind: "decided", decision };
}

/** A denial before routing (kill switch, session state, authority): stored as `blocked` with its own step. */
export async function denyBeforeRouting(
  tx: StorageTx,
  ctx: PipelineContext,
  session: SessionRecord,
  policy: CompiledPolicy,
  trace: readonly TraceEntry[],
  code: DecisionCode,
  reason: string,
): Promise<PipelineResult> {
  const denied = await persist(tx, ctx, session, {
    outcome: "denied",
    status: "denied",
    code,
    reason,
    tier: "blocked",
    riskLevel: classifyRisk(policy, ctx.proposal),
    trace: [...trace, { step: code, result: "deny", detail: reason }],
    warnings: [],
  });
  return finish(tx, ctx, denied);
}

/** A denial after routing (lock, budget, tokens) of the proposal `proposalId`: its step joins the trace. */
export async function denyAfterRouting(
  tx: StorageTx,
  ctx: PipelineContext,
  session: SessionRecord,
  base: Pick<PersistInput, "tier" | "riskLevel" | "trace" | "warnings">,
  proposalId: string,
  code: DecisionCode,
  reason: string,
): Promise<PipelineResult> {
  (base.trace as TraceEntry[]).push({ step: code, result: "deny", detail: reason });
  const denied = await persist(
    tx,
    ctx,
    session,
    { ...base, outcome: "denied", status: "denied", code, reason },
    proposalId,
  );
  return finish(tx, ctx, denied);
}

/** The decision value of a stored proposal. */
export function toDecision(
  r: ProposalRecord,
  trace: readonly TraceEntry[],
  warnings: readonly string[],
): Decision {
  const base = {
    proposalId: r.id,
    code: r.code,
    reason: r.reason,
    riskLevel: r.riskLevel,
    tier: r.tier,
    trace,
    warnings,
  };
  if (r.status === "pending_approval") return { ...base, outcome: "pending_approval", ticketId: r.ticketId! };
  return { ...base, outcome: r.outcome } as Decision;
}

/** Why a budget reservation of `cost` failed, in words. */
export function budgetReason(session: SessionRecord, cost: number): string {
  if (session.maxActions !== null && session.usedActions + 1 > session.maxActions) {
    return `budget exhausted: all ${session.maxActions} actions of the session are used`;
  }
  const max = formatMicros(session.maxCost ?? 0);
  return `budget exhausted: cost ${formatMicros(session.usedCost)} used + ${formatMicros(cost)} would exceed ${max}`;
}
