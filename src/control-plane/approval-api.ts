import { approveTicket, denyTicket, type TicketOutcome } from "../engines/approvals/approval-gate.js";
import {
  APPROVAL_SCOPE_KEYS,
  type ApprovalScopeInput,
  resolveApprovalScope,
} from "../engines/approvals/approval-scope.js";
import { selfApprovalError, selfApprovalRole } from "../engines/approvals/self-approval.js";
import { type SettleOutcome, settleDueTicket } from "../engines/recovery/approval-timeouts.js";
import { ControlPlaneError, NotFoundError } from "../errors/control-plane-error.js";
import { assertKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError } from "../errors/validation-error.js";
import type { StorageTx } from "../storage/storage.js";
import type { ProposalRecord } from "../types/proposal-record.js";
import type { TicketRecord } from "../types/ticket.js";
import type { Runtime } from "./runtime.js";
import { requireId } from "./session-api.js";
import { type TicketView, ticketView } from "./views.js";

/** Input of `approve`. `decidedBy` should come from the authenticated principal, not from the agent. */
export interface ApproveInput {
  readonly decidedBy: string;
  readonly reason?: string;
  readonly scope?: ApprovalScopeInput;
  readonly idempotencyKey?: string;
}

/** Input of `deny`. */
export interface DenyInput {
  readonly decidedBy: string;
  readonly reason?: string;
  readonly idempotencyKey?: string;
}

const APPROVE_KEYS: readonly string[] = ["decidedBy", "reason", "scope", "idempotencyKey"];
const DENY_KEYS: readonly string[] = ["decidedBy", "reason", "idempotencyKey"];

/**
 * Decides a pending ticket (at most once). A ticket past its deadline is first settled by its policy: escalated
 * (and then decided by this call) or expired — then the call throws `already_decided` with status `expired`
 * after recording the expiry.
 */
export async function decide(
  rt: Runtime,
  ticketId: string,
  verdict: "approve" | "deny",
  input: ApproveInput | DenyInput,
): Promise<TicketView> {
  requireId(ticketId, "ticketId");
  if (input === null || typeof input !== "object") {
    throw new ValidationError([{ path: "(root)", message: "expected an object" }]);
  }
  assertKnownKeys(input, verdict === "approve" ? APPROVE_KEYS : DENY_KEYS, "", verdict);
  requireId(input.decidedBy, "decidedBy");
  if (input.reason !== undefined && typeof input.reason !== "string") {
    throw new ValidationError([{ path: "reason", message: "expected a string" }]);
  }
  const scopeInput = verdict === "approve" ? (input as ApproveInput).scope : undefined;
  assertKnownKeys(scopeInput, APPROVAL_SCOPE_KEYS, "scope.", "approval scope");
  const decision = { decidedBy: input.decidedBy, reason: input.reason ?? null };
  const request = { ticketId, ...decision, scope: scopeInput };
  const outcome: TicketOutcome = await rt.mutate(verdict, input.idempotencyKey, request, async (tx, now) => {
    const found = await tx.tickets.get(ticketId);
    if (!found) throw new NotFoundError("ticket", ticketId);
    const { ticket } = await settleIfDue(rt, tx, found, now);
    if (ticket.status === "expired") return { ticket, proposal: undefined };
    const proposal = await tx.proposals.get(ticket.proposalId);
    if (!proposal) throw new NotFoundError("proposal", ticket.proposalId);
    await refuseSelfApproval(rt, tx, verdict, ticket, proposal, decision.decidedBy);
    if (verdict === "deny") return denyTicket(tx, ticketId, decision, now);
    const scope = resolveApprovalScope(scopeInput, proposal, now);
    return approveTicket(tx, ticketId, { ...decision, scope }, now, now + rt.lockTtlMs);
  });
  if (outcome.ticket.status === "expired") {
    throw new ControlPlaneError("already_decided", `ticket ${JSON.stringify(ticketId)} is already expired`, {
      details: { ticketId, status: "expired" },
    });
  }
  return ticketView(outcome.ticket);
}

/**
 * Refuses (`self_approval`) a human decision by the proposal's acting agent or the session's owner, unless the
 * session's policy sets `approvals.allowSelfApproval`. Automatic decisions (kill switch, expiry) do not come
 * through here.
 */
async function refuseSelfApproval(
  rt: Runtime,
  tx: StorageTx,
  verdict: "approve" | "deny",
  ticket: TicketRecord,
  proposal: ProposalRecord,
  decidedBy: string,
): Promise<void> {
  const session = await tx.sessions.get(ticket.sessionId);
  if (!session) throw new NotFoundError("session", ticket.sessionId);
  const role = selfApprovalRole(decidedBy, { actingAgentId: proposal.agentId, ownerId: session.agentId });
  if (role === undefined || (await rt.policyFor(tx, session)).approvals.allowSelfApproval) return;
  throw selfApprovalError(verdict, ticket.id, decidedBy, role);
}

/** Reads a ticket. @throws NotFoundError */
export async function getTicket(rt: Runtime, ticketId: string): Promise<TicketView> {
  requireId(ticketId, "ticketId");
  const ticket = await rt.storage.read((tx) => tx.tickets.get(ticketId));
  if (!ticket) throw new NotFoundError("ticket", ticketId);
  return ticketView(ticket);
}

/**
 * Settles a ticket whose deadline has passed according to its session's policy (escalate, expire, or keep
 * waiting). At most once, whatever the number of callers. A ticket that is not due is returned unchanged.
 */
export async function settleIfDue(
  rt: Runtime,
  tx: StorageTx,
  ticket: TicketRecord,
  now: number,
): Promise<{ readonly ticket: TicketRecord; readonly outcome: SettleOutcome }> {
  if (ticket.status !== "pending" || ticket.deadlineAt > now) return { ticket, outcome: "none" };
  const session = await tx.sessions.get(ticket.sessionId);
  if (!session) throw new NotFoundError("session", ticket.sessionId);
  const policy = await rt.policyFor(tx, session);
  return settleDueTicket(tx, ticket, policy.approvals, now, rt.lockTtlMs);
}

/** How many due tickets a pass expired and escalated. */
export interface TicketSettlement {
  readonly expired: number;
  readonly escalated: number;
}

/**
 * Settles every pending ticket past its deadline (expire or escalate per policy), in batches of `batch` per
 * transaction. Safe to run in several processes at once: each expiry or escalation happens exactly once.
 */
export async function settleDueTickets(rt: Runtime, batch = 100): Promise<TicketSettlement> {
  let expired = 0;
  let escalated = 0;
  for (;;) {
    const pass = await rt.storage.transaction(async (tx) => {
      const now = rt.clock.now();
      const due = await tx.tickets.listDue(now, batch);
      const outcomes: SettleOutcome[] = [];
      for (const ticket of due) outcomes.push((await settleIfDue(rt, tx, ticket, now)).outcome);
      return outcomes;
    });
    expired += pass.filter((o) => o === "expired").length;
    escalated += pass.filter((o) => o === "escalated").length;
    // Stop when the batch was not full, or nothing changed (the rest wait, or other runners took them).
    if (pass.length < batch || pass.every((o) => o === "none")) return { expired, escalated };
  }
}
