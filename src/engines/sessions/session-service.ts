import { InvalidTransitionError, NotFoundError } from "../../errors/control-plane-error.js";
import type { StorageTx } from "../../storage/storage.js";
import type { EventKind } from "../../types/event.js";
import { formatMicros } from "../../types/money.js";
import type { SessionRecord } from "../../types/session.js";
import { denyPendingTickets } from "../approvals/approval-gate.js";
import { cycleLeaseKey } from "../concurrency/cycle-lease.js";
import { SESSION_TRANSITIONS, type SessionVerb } from "./session-transitions.js";

const EVENT_OF_VERB: Readonly<Record<SessionVerb, EventKind>> = {
  activate: "session_activated",
  pause: "session_paused",
  resume: "session_resumed",
  complete: "session_completed",
  abort: "session_aborted",
};

/** Inserts a new session in `created` state and records `session_opened`. */
export async function insertSession(tx: StorageTx, session: SessionRecord): Promise<SessionRecord> {
  await tx.sessions.insert(session);
  await tx.events.append({
    sessionId: session.id,
    kind: "session_opened",
    agentId: session.agentId,
    payload: {
      name: session.name,
      policyId: session.policyId,
      maxCost: session.maxCost === null ? null : formatMicros(session.maxCost),
      maxActions: session.maxActions,
    },
    at: session.createdAt,
  });
  return (await tx.sessions.get(session.id)) ?? session;
}

/**
 * Applies a state-machine verb to a session (guarded), records the event (payload `by` when an operator `by`
 * is given), and on `complete`/`abort` denies the session's pending tickets (releasing their holds) and ends
 * its cycle; executing work keeps its lock.
 * @throws NotFoundError for an unknown session; InvalidTransitionError naming both states otherwise.
 */
export async function transitionSession(
  tx: StorageTx,
  sessionId: string,
  verb: SessionVerb,
  reason: string | null,
  now: number,
  by?: string,
): Promise<SessionRecord> {
  const { from, to } = SESSION_TRANSITIONS[verb];
  const updated = await tx.sessions.transition(sessionId, from, to, reason, now);
  if (!updated) {
    const current = await tx.sessions.get(sessionId);
    if (!current) throw new NotFoundError("session", sessionId);
    throw new InvalidTransitionError("session", sessionId, current.status, to);
  }
  await tx.events.append({
    sessionId,
    kind: EVENT_OF_VERB[verb],
    agentId: updated.agentId,
    payload: { ...(reason === null ? {} : { reason }), ...(by === undefined ? {} : { by }) },
    at: now,
  });
  if (verb === "complete" || verb === "abort")
    await closeSessionHolds(tx, sessionId, `session ${to}`, now, by);
  tx.notify({ topic: "session", id: sessionId });
  return updated;
}

/**
 * Denies the pending tickets of a finished session (which releases their resource holds; their events carry
 * `by`, the operator who finished it, when given) and ends its cycle. Work still executing keeps its lock: the resource stays held until `complete()` or until the lease
 * expires (then recovery records `outcome_unknown`).
 */
export async function closeSessionHolds(
  tx: StorageTx,
  sessionId: string,
  reason: string,
  now: number,
  by?: string,
): Promise<void> {
  await denyPendingTickets(
    tx,
    { sessionId },
    { decidedBy: "system", reason, code: "session_not_executable", by },
    now,
  );
  const cycle = await tx.leases.get(cycleLeaseKey(sessionId));
  if (cycle !== undefined) await tx.leases.release(cycle.key, cycle.owner);
}
