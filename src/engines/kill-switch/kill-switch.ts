import { ValidationError } from "../../errors/validation-error.js";
import type { StorageTx } from "../../storage/storage.js";
import type { KillScope, KillSwitchRecord } from "../../types/kill-switch.js";
import { denyPendingTickets } from "../approvals/approval-gate.js";
import { closeSessionHolds } from "../sessions/session-service.js";
import { LIVE_STATUSES } from "../sessions/session-transitions.js";

/** Which kill switch: `global`, an agent's, or a session's. */
export interface KillTarget {
  readonly scope: KillScope;
  readonly agentId?: string | undefined;
  readonly sessionId?: string | undefined;
}

/** What engaging a kill switch did. */
export interface KillResult {
  readonly scope: KillScope;
  readonly target: string;
  /** False if the switch was already engaged (the sweep still ran). */
  readonly changed: boolean;
  readonly sessionsAborted: number;
  readonly sessionsPaused: number;
  readonly ticketsDenied: number;
}

/**
 * Resolves and validates the target of a kill switch.
 * @throws ValidationError when the scope is unknown or its id is missing.
 */
export function killTargetId(target: KillTarget): string {
  switch (target.scope) {
    case "global":
      return "";
    case "agent":
      if (typeof target.agentId !== "string" || target.agentId === "") {
        throw new ValidationError([{ path: "agentId", message: 'required for scope "agent"' }]);
      }
      return target.agentId;
    case "session":
      if (typeof target.sessionId !== "string" || target.sessionId === "") {
        throw new ValidationError([{ path: "sessionId", message: 'required for scope "session"' }]);
      }
      return target.sessionId;
    default:
      throw new ValidationError([
        {
          path: "scope",
          message: 'expected "global", "agent" or "session"',
          received: (target as KillTarget).scope,
        },
      ]);
  }
}

/**
 * Engages a kill switch and sweeps its scope, all in the caller's transaction: denies EVERY pending ticket in
 * scope, aborts every live session (global, session) or pauses every created or active session of the agent
 * (agent; sessions it opens while the switch is engaged open paused). No limit applies. The engaged state
 * is persisted and checked inside every later decision: an agent switch covers every proposal the agent
 * makes and every proposal in a session it owns. Executing work keeps its resource locks (see
 * `closeSessionHolds`). Engage it first in its transaction (see `KillSwitchStore.engage`). `by` (the operator)
 * is stored as the switch's `engagedBy` and added as payload `by` to every event of the kill and its sweep.
 */
export async function engageKillSwitch(
  tx: StorageTx,
  target: KillTarget,
  reason: string,
  now: number,
  by?: string,
): Promise<KillResult> {
  const id = killTargetId(target);
  const { changed } = await tx.killSwitches.engage(target.scope, id, reason, now, by ?? null);
  const byPayload: { by?: string } = by === undefined ? {} : { by };
  const denyReason = `kill switch (${target.scope}${id ? `: ${id}` : ""}): ${reason}`;
  const ticketFilter =
    target.scope === "global"
      ? { all: true as const }
      : target.scope === "agent"
        ? { agentId: id }
        : { sessionId: id };
  const ticketsDenied = await denyPendingTickets(
    tx,
    ticketFilter,
    { decidedBy: "kill_switch", reason: denyReason, code: "kill_switch", by },
    now,
  );
  let sessionsAborted = 0;
  let sessionsPaused = 0;
  if (target.scope === "agent") {
    const paused = await tx.sessions.transitionWhere(
      { statuses: ["created", "active"], agentId: id },
      "paused",
      denyReason,
      now,
    );
    for (const sessionId of paused) {
      await tx.events.append({
        sessionId,
        kind: "session_paused",
        agentId: id,
        payload: { reason: denyReason, ...byPayload },
        at: now,
      });
      tx.notify({ topic: "session", id: sessionId });
    }
    sessionsPaused = paused.length;
  } else {
    const filter =
      target.scope === "global" ? { statuses: LIVE_STATUSES } : { statuses: LIVE_STATUSES, sessionId: id };
    const aborted = await tx.sessions.transitionWhere(filter, "aborted", denyReason, now);
    for (const sessionId of aborted) {
      await tx.events.append({
        sessionId,
        kind: "session_aborted",
        payload: { reason: denyReason, ...byPayload },
        at: now,
      });
      await closeSessionHolds(tx, sessionId, denyReason, now, by);
      tx.notify({ topic: "session", id: sessionId });
    }
    sessionsAborted = aborted.length;
  }
  await tx.events.append({
    sessionId: target.scope === "session" ? id : null,
    kind: "kill_switch_engaged",
    agentId: target.scope === "agent" ? id : null,
    payload: {
      scope: target.scope,
      target: id,
      reason,
      sessionsAborted,
      sessionsPaused,
      ticketsDenied,
      ...byPayload,
    },
    at: now,
  });
  tx.notify({ topic: "kill_switch", id: `${target.scope}:${id}` });
  return { scope: target.scope, target: id, changed, sessionsAborted, sessionsPaused, ticketsDenied };
}

/**
 * Releases a kill switch. Aborted sessions stay aborted; sessions paused by an agent switch stay paused until
 * resumed. Returns the released record, or `undefined` if it was not engaged. `by` (the operator) is added as
 * payload `by` to the `kill_switch_released` event.
 */
export async function releaseKillSwitch(
  tx: StorageTx,
  target: KillTarget,
  now: number,
  by?: string,
): Promise<KillSwitchRecord | undefined> {
  const id = killTargetId(target);
  const released = await tx.killSwitches.release(target.scope, id, now);
  if (released) {
    await tx.events.append({
      sessionId: target.scope === "session" ? id : null,
      kind: "kill_switch_released",
      agentId: target.scope === "agent" ? id : null,
      payload: { scope: target.scope, target: id, ...(by === undefined ? {} : { by }) },
      at: now,
    });
    tx.notify({ topic: "kill_switch", id: `${target.scope}:${id}` });
  }
  return released;
}
