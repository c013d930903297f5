import type { ControlPlane } from "../../control-plane/control-plane.js";
import type { ProposalView, SessionView, TicketView } from "../../control-plane/views.js";
import { deadlineNear, listPendingOldestFirst } from "./ticket-card.js";

/** What needs an operator's attention now. */
export interface AttentionItems {
  /** Proposals whose outcome nobody reported (`outcome_unknown`), across sessions, newest first. */
  readonly unknown: readonly ProposalView[];
  /** Pending tickets whose deadline is near (see `deadlineNear`), or escalated; soonest deadline first. */
  readonly expiring: readonly TicketView[];
  /** Open sessions (created, active, paused) whose cost or action budget is used up. */
  readonly exhausted: readonly SessionView[];
}

const PAGE = 1000;

/** Reads every page of a facade list (newest first) until a short page. */
async function all<T>(read: (offset: number) => Promise<readonly T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await read(offset);
    rows.push(...page);
    if (page.length < PAGE) return rows;
  }
}

/** Whether a session's cost or action count has reached its maximum. */
export function budgetExhausted(s: SessionView): boolean {
  const b = s.budget;
  const costOut = b.maxCost !== null && b.remainingCost !== null && Number(b.remainingCost) <= 0;
  const actionsOut = b.maxActions !== null && (b.remainingActions ?? 0) <= 0;
  return costOut || actionsOut;
}

/** Reads what needs attention through the facade. */
export async function loadAttention(cp: ControlPlane, now: number): Promise<AttentionItems> {
  const [unknown, pending, open] = await Promise.all([
    all((offset) => cp.listProposals({ statuses: ["outcome_unknown"], limit: PAGE, offset })),
    listPendingOldestFirst(cp),
    all((offset) => cp.listSessions({ statuses: ["created", "active", "paused"], limit: PAGE, offset })),
  ]);
  const expiring = pending
    .filter((t) => deadlineNear(t, now) || t.escalationLevel > 0)
    .sort((a, b) => a.deadlineAt - b.deadlineAt);
  const seen = new Set<string>();
  const exhausted = open.filter((s) => !seen.has(s.id) && seen.add(s.id) && budgetExhausted(s));
  return { unknown, expiring, exhausted };
}
