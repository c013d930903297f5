import type { StorageTx } from "../../storage/storage.js";
import type { TicketRecord } from "../../types/ticket.js";
import { expireTicket } from "../approvals/approval-gate.js";
import { resourceLockKey } from "../concurrency/resource-lock.js";
import type { CompiledApprovals } from "../policy/compiled-policy.js";

/** Deadline of a ticket that never times out (`approvals.onTimeout: wait`). */
export const NO_DEADLINE = Number.MAX_SAFE_INTEGER;

/** The first deadline of a new ticket under the policy's approval settings. */
export function firstDeadline(approvals: CompiledApprovals, now: number): number {
  return approvals.onTimeout === "wait" ? NO_DEADLINE : now + approvals.timeoutMs;
}

/** What settling a ticket did. */
export type SettleOutcome = "none" | "escalated" | "expired";

/**
 * Settles a pending ticket whose deadline has passed (`deadlineAt <= now`), at most once whatever the number
 * of callers: with `onTimeout: escalate` and steps left it moves to the next approver group with a new deadline
 * (`approval_escalated`); otherwise it expires (`approval_expired`; its proposal is denied as expired, never as
 * denied by a person). A ticket that is not due, no longer pending, or waits forever is left alone.
 */
export async function settleDueTicket(
  tx: StorageTx,
  ticket: TicketRecord,
  approvals: CompiledApprovals,
  now: number,
  lockTtlMs: number,
): Promise<{ readonly ticket: TicketRecord; readonly outcome: SettleOutcome }> {
  if (ticket.status !== "pending" || ticket.deadlineAt > now || approvals.onTimeout === "wait") {
    return { ticket, outcome: "none" };
  }
  const step = approvals.onTimeout === "escalate" ? approvals.escalation[ticket.escalationLevel] : undefined;
  if (step) {
    const deadlineAt = now + step.timeoutMs;
    const escalated = await tx.tickets.escalate(ticket.id, ticket.escalationLevel, deadlineAt);
    if (!escalated) return { ticket: (await tx.tickets.get(ticket.id)) ?? ticket, outcome: "none" };
    const proposal = await tx.proposals.get(ticket.proposalId);
    const key = proposal ? resourceLockKey(proposal.resourceType, proposal.resourceId) : null;
    if (key !== null && proposal) await tx.leases.renew(key, proposal.id, deadlineAt + lockTtlMs, now);
    await tx.events.append({
      sessionId: ticket.sessionId,
      kind: "approval_escalated",
      agentId: proposal?.agentId ?? null,
      proposalId: ticket.proposalId,
      ticketId: ticket.id,
      payload: {
        fromLevel: ticket.escalationLevel,
        toLevel: escalated.escalationLevel,
        group: step.to,
        deadlineAt,
      },
      at: now,
    });
    tx.notify({ topic: "ticket", id: ticket.id });
    return { ticket: escalated, outcome: "escalated" };
  }
  const { ticket: expired, changed } = await expireTicket(tx, ticket.id, now);
  return { ticket: expired, outcome: changed ? "expired" : "none" };
}

/** The approver group a ticket currently waits on (`null` when the policy names none). */
export function approverGroup(ticket: TicketRecord, approvals: CompiledApprovals): string | null {
  if (ticket.escalationLevel === 0) return approvals.group;
  return approvals.escalation[ticket.escalationLevel - 1]?.to ?? null;
}
