import { type BudgetView, budgetView } from "../engines/budgets/budget-tracker.js";
import type { JsonValue } from "../types/json.js";
import { checkJsonValue } from "../types/json-limits.js";
import { formatMicros } from "../types/money.js";
import type { ProposalRecord } from "../types/proposal-record.js";
import type { RiskLevel } from "../types/risk.js";
import type { SessionRecord } from "../types/session.js";
import type { SessionRiskState } from "../types/session-risk.js";
import type { TicketRecord, TicketRequest } from "../types/ticket.js";

/** A session as returned by the facade: money as exact decimal strings. */
export interface SessionView {
  readonly id: string;
  readonly name: string | null;
  readonly agentId: string | null;
  readonly status: SessionRecord["status"];
  readonly statusReason: string | null;
  readonly policyId: string;
  readonly budget: BudgetView;
  readonly lastSeq: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /**
   * The session's accumulated risk (policy `sessionRisk`): set by `getSession` (one extra point read), absent
   * from lists and from the results of writes. A session nothing was accumulated for has score 0, level `low`.
   */
  readonly risk?: SessionRiskView;
}

/** A session's accumulated risk as returned by the facade (see policy `sessionRisk`). */
export interface SessionRiskView {
  /** Sum of the scores of every proposal routed in the session. */
  readonly score: number;
  /** The risk the last proposal was decided with (its own, or the escalated one). */
  readonly level: RiskLevel;
  /** How many proposals have been routed in the session. */
  readonly actionCount: number;
  /** Names of the patterns that matched in the session, in order of first match. */
  readonly detectedPatterns: readonly string[];
}

/** Converts a stored risk state (or none) to its view. */
export function sessionRiskView(state: SessionRiskState | undefined): SessionRiskView {
  return {
    score: state?.score ?? 0,
    level: state?.level ?? "low",
    actionCount: state?.actionCount ?? 0,
    detectedPatterns: [...(state?.detectedPatterns ?? [])],
  };
}

/** A proposal as returned by the facade: money as exact decimal strings. */
export interface ProposalView
  extends Omit<ProposalRecord, "cost" | "reservedCost" | "actualCost" | "fingerprint"> {
  readonly cost: string;
  readonly reservedCost: string;
  readonly actualCost: string | null;
}

/**
 * What an approval ticket asks a human to decide, as returned by the facade: the action, the resource, the
 * agent, the cost (exact decimal string), why it needs approval, the risk level and the tier.
 */
export interface TicketRequestView extends Omit<TicketRequest, "cost"> {
  readonly cost: string;
}

/** An approval ticket as returned by the facade: money as exact decimal strings. */
export interface TicketView extends Omit<TicketRecord, "scope" | "request"> {
  /** What is to be decided, fixed when the ticket was opened. */
  readonly request: TicketRequestView;
  readonly scope: {
    readonly kind: "once" | "session";
    readonly actions: readonly string[] | null;
    readonly resourceIds: readonly string[] | null;
    readonly maxCostPerAction: string | null;
    /** How many later proposals the approver allowed (the scope input's `maxUses`); null: unlimited. */
    readonly maxUses: number | null;
    /** How many of `maxUses` are left; null: unlimited. */
    readonly remainingUses: number | null;
    readonly expiresAt: number | null;
  } | null;
}

/** Converts a stored session to its view. */
export function sessionView(s: SessionRecord): SessionView {
  return {
    id: s.id,
    name: s.name,
    agentId: s.agentId,
    status: s.status,
    statusReason: s.statusReason,
    policyId: s.policyId,
    budget: budgetView(s),
    lastSeq: s.lastSeq,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** Converts a stored proposal to its view. */
export function proposalView(p: ProposalRecord): ProposalView {
  return {
    id: p.id,
    sessionId: p.sessionId,
    agentId: p.agentId,
    action: p.action,
    resourceType: p.resourceType,
    resourceId: p.resourceId,
    args: p.args,
    metadata: p.metadata,
    status: p.status,
    outcome: p.outcome,
    code: p.code,
    reason: p.reason,
    riskLevel: p.riskLevel,
    tier: p.tier,
    trace: p.trace,
    ticketId: p.ticketId,
    cost: formatMicros(p.cost),
    reservedCost: formatMicros(p.reservedCost),
    actualCost: p.actualCost === null ? null : formatMicros(p.actualCost),
    output: p.output,
    error: p.error,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    completedAt: p.completedAt,
  };
}

/** Converts a stored ticket to its view. */
export function ticketView(t: TicketRecord): TicketView {
  const scope = t.scope && {
    kind: t.scope.kind,
    actions: t.scope.actions,
    resourceIds: t.scope.resourceIds,
    maxCostPerAction: t.scope.maxCostPerAction === null ? null : formatMicros(t.scope.maxCostPerAction),
    maxUses: t.scope.maxUses ?? t.scope.remaining,
    remainingUses: t.scope.remaining,
    expiresAt: t.scope.expiresAt,
  };
  return { ...t, request: { ...t.request, cost: formatMicros(t.request.cost) }, scope };
}

/** Checks that `value` is plain JSON within the default limits (no functions, cycles, NaN; see `checkJsonValue`). */
export function isJsonValue(value: unknown): value is JsonValue {
  return checkJsonValue(value, "") === undefined;
}
