import { ControlPlaneError, NotFoundError } from "../../errors/control-plane-error.js";
import type { StorageTx, TicketFilter } from "../../storage/storage.js";
import type { DecisionCode } from "../../types/decision.js";
import type { JsonObject } from "../../types/json.js";
import type { ProposalRecord } from "../../types/proposal-record.js";
import type { ApprovalScope, TicketRecord, TicketRequest } from "../../types/ticket.js";
import { resourceLockKey, unlockResource } from "../concurrency/resource-lock.js";

/**
 * Opens a pending approval ticket for a proposal that is being stored as `pending_approval`, and records
 * `approval_requested`. The caller inserts the proposal in the same transaction.
 */
export async function requestApproval(
  tx: StorageTx,
  ticket: {
    readonly id: string;
    readonly proposal: ProposalRecord;
    readonly deadlineAt: number;
    readonly now: number;
  },
): Promise<TicketRecord> {
  const record: TicketRecord = {
    id: ticket.id,
    sessionId: ticket.proposal.sessionId,
    proposalId: ticket.proposal.id,
    request: ticketRequest(ticket.proposal),
    status: "pending",
    createdAt: ticket.now,
    deadlineAt: ticket.deadlineAt,
    decidedAt: null,
    decidedBy: null,
    reason: null,
    scope: null,
    escalationLevel: 0,
  };
  await tx.tickets.insert(record);
  await tx.events.append({
    sessionId: record.sessionId,
    kind: "approval_requested",
    agentId: ticket.proposal.agentId,
    proposalId: record.proposalId,
    ticketId: record.id,
    payload: {
      action: ticket.proposal.action,
      reason: ticket.proposal.reason,
      deadlineAt: record.deadlineAt,
    },
    at: ticket.now,
  });
  return record;
}

/** The immutable part of a ticket: what the approver is asked to decide, taken from the proposal. */
export function ticketRequest(p: ProposalRecord): TicketRequest {
  return {
    action: p.action,
    agentId: p.agentId,
    resourceType: p.resourceType,
    resourceId: p.resourceId,
    cost: p.cost,
    reason: p.reason,
    riskLevel: p.riskLevel,
    tier: p.tier,
  };
}

/** The result of deciding a ticket: the ticket as stored and its proposal as updated. */
export interface TicketOutcome {
  readonly ticket: TicketRecord;
  readonly proposal: ProposalRecord | undefined;
  /** False when the ticket had already been decided or expired by someone else (nothing was changed). */
  readonly changed?: boolean;
}

/**
 * Approves a pending ticket (at most once). The proposal moves to `approved` and keeps its resource lock
 * until `lockUntil`, so that the agent's retry of the same action proceeds without a new ticket.
 * A ticket past its deadline is expired instead: check the returned ticket's status.
 * @throws NotFoundError for an unknown ticket; ControlPlaneError `already_decided` for a decided one.
 */
export async function approveTicket(
  tx: StorageTx,
  ticketId: string,
  decision: {
    readonly decidedBy: string;
    readonly reason: string | null;
    readonly scope: ApprovalScope | null;
  },
  now: number,
  lockUntil: number,
): Promise<TicketOutcome> {
  const current = await pendingTicket(tx, ticketId);
  if (current.deadlineAt <= now) return expireTicket(tx, ticketId, now);
  const ticket = await tx.tickets.decide(ticketId, { status: "approved", ...decision, decidedAt: now });
  if (!ticket) throw alreadyDecided(ticketId, "decided");
  const proposal = await tx.proposals.transition(ticket.proposalId, ["pending_approval"], {
    status: "approved",
    outcome: "allowed",
    code: "approved",
    reason: decision.reason ?? `approved by ${decision.decidedBy}`,
    updatedAt: now,
  });
  if (proposal) {
    const key = resourceLockKey(proposal.resourceType, proposal.resourceId);
    if (key !== null) await tx.leases.renew(key, proposal.id, lockUntil, now);
  }
  await recordTicketChange(
    tx,
    ticket,
    proposal,
    "approval_granted",
    { decidedBy: decision.decidedBy, reason: decision.reason, scope: ticket.scope?.kind ?? "once" },
    now,
  );
  return { ticket, proposal };
}

/**
 * Denies a pending ticket (at most once); its proposal is denied and its resource lock released.
 * A ticket past its deadline is expired instead: check the returned ticket's status.
 * @throws NotFoundError for an unknown ticket; ControlPlaneError `already_decided` for a decided one.
 */
export async function denyTicket(
  tx: StorageTx,
  ticketId: string,
  decision: { readonly decidedBy: string; readonly reason: string | null },
  now: number,
): Promise<TicketOutcome> {
  const current = await pendingTicket(tx, ticketId);
  if (current.deadlineAt <= now) return expireTicket(tx, ticketId, now);
  const ticket = await tx.tickets.decide(ticketId, {
    status: "denied",
    ...decision,
    scope: null,
    decidedAt: now,
  });
  if (!ticket) throw alreadyDecided(ticketId, "decided");
  const proposal = await closeProposal(
    tx,
    ticket,
    "approval_denied",
    decision.reason ?? `denied by ${decision.decidedBy}`,
    now,
  );
  await recordTicketChange(
    tx,
    ticket,
    proposal,
    "approval_denied",
    { decidedBy: decision.decidedBy, reason: decision.reason },
    now,
  );
  return { ticket, proposal };
}

/**
 * Expires a pending ticket whose deadline has passed (safe default: its proposal is denied as expired, not as
 * denied by a person). Returns the ticket unchanged when it is no longer pending.
 */
export async function expireTicket(tx: StorageTx, ticketId: string, now: number): Promise<TicketOutcome> {
  const ticket = await tx.tickets.decide(ticketId, {
    status: "expired",
    decidedBy: null,
    reason: "approval timed out (safe default: deny)",
    scope: null,
    decidedAt: now,
  });
  if (!ticket) {
    const existing = await tx.tickets.get(ticketId);
    if (!existing) throw new NotFoundError("ticket", ticketId);
    return { ticket: existing, proposal: await tx.proposals.get(existing.proposalId), changed: false };
  }
  const proposal = await closeProposal(tx, ticket, "approval_expired", "approval timed out", now);
  await recordTicketChange(tx, ticket, proposal, "approval_expired", { deadlineAt: ticket.deadlineAt }, now);
  return { ticket, proposal, changed: true };
}

/**
 * Denies every pending ticket matching `filter` (no limit), denies their proposals with `code`, releases their
 * locks and records `approval_denied` for each (with payload `by` when the decision names the operator who
 * caused it). Returns the number of tickets denied.
 */
export async function denyPendingTickets(
  tx: StorageTx,
  filter: TicketFilter,
  decision: {
    readonly decidedBy: string;
    readonly reason: string;
    readonly code: DecisionCode;
    readonly by?: string | undefined;
  },
  now: number,
): Promise<number> {
  const tickets = await tx.tickets.denyPendingWhere(filter, decision.decidedBy, decision.reason, now);
  for (const ticket of tickets) {
    const proposal = await closeProposal(tx, ticket, decision.code, decision.reason, now);
    await recordTicketChange(
      tx,
      ticket,
      proposal,
      "approval_denied",
      {
        decidedBy: decision.decidedBy,
        reason: decision.reason,
        code: decision.code,
        ...(decision.by === undefined ? {} : { by: decision.by }),
      },
      now,
    );
  }
  return tickets.length;
}

/** Records a decision on a ticket in its session's audit log and wakes its waiters (after commit). */
async function recordTicketChange(
  tx: StorageTx,
  ticket: TicketRecord,
  proposal: ProposalRecord | undefined,
  kind: "approval_granted" | "approval_denied" | "approval_expired",
  payload: JsonObject,
  now: number,
): Promise<void> {
  await tx.events.append({
    sessionId: ticket.sessionId,
    kind,
    agentId: proposal?.agentId ?? null,
    proposalId: ticket.proposalId,
    ticketId: ticket.id,
    payload,
    at: now,
  });
  tx.notify({ topic: "ticket", id: ticket.id });
}

async function pendingTicket(tx: StorageTx, ticketId: string): Promise<TicketRecord> {
  const ticket = await tx.tickets.get(ticketId);
  if (!ticket) throw new NotFoundError("ticket", ticketId);
  if (ticket.status !== "pending") throw alreadyDecided(ticketId, ticket.status);
  return ticket;
}

function alreadyDecided(ticketId: string, status: string): ControlPlaneError {
  return new ControlPlaneError("already_decided", `ticket ${JSON.stringify(ticketId)} is already ${status}`, {
    details: { ticketId, status },
  });
}

async function closeProposal(
  tx: StorageTx,
  ticket: TicketRecord,
  code: "approval_denied" | "approval_expired" | DecisionCode,
  reason: string,
  now: number,
): Promise<ProposalRecord | undefined> {
  const proposal = await tx.proposals.transition(ticket.proposalId, ["pending_approval", "approved"], {
    status: code === "approval_expired" ? "expired" : "denied",
    outcome: "denied",
    code,
    reason,
    updatedAt: now,
  });
  if (proposal)
    await unlockResource(tx, resourceLockKey(proposal.resourceType, proposal.resourceId), proposal.id);
  return proposal;
}
