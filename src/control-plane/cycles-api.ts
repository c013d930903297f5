import { acquireCycle, cycleLeaseKey } from "../engines/concurrency/cycle-lease.js";
import { ControlPlaneError } from "../errors/control-plane-error.js";
import { assertKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError } from "../errors/validation-error.js";
import type { Runtime } from "./runtime.js";
import { mustSession, requireId } from "./session-api.js";

function checkCycleInput(sessionId: string, input: { owner: string; ttlMs: number }): void {
  requireId(sessionId, "sessionId");
  assertKnownKeys(input, ["owner", "ttlMs"], "", "cycle");
  requireId(input?.owner, "owner");
  if (typeof input.ttlMs !== "number" || !(input.ttlMs > 0)) {
    throw new ValidationError([{ path: "ttlMs", message: "expected a positive number of milliseconds" }]);
  }
}

/**
 * Takes the session's single active cycle for `owner` (a lease expiring after `ttlMs`, and never later than
 * `maxCycleMs` after it began). @throws ControlPlaneError `conflict` when another owner holds a live cycle.
 */
export async function beginCycle(
  rt: Runtime,
  sessionId: string,
  input: { owner: string; ttlMs: number },
): Promise<{ expiresAt: number }> {
  checkCycleInput(sessionId, input);
  return rt.mutate("beginCycle", undefined, null, async (tx, now) => {
    await mustSession(tx, sessionId);
    const expiresAt = Math.min(now + input.ttlMs, now + rt.maxCycleMs);
    await acquireCycle(tx, sessionId, input.owner, expiresAt, now);
    await tx.events.append({
      sessionId,
      kind: "cycle_started",
      payload: { owner: input.owner, expiresAt },
      at: now,
    });
    return { expiresAt };
  });
}

/**
 * Extends the cycle held by `owner`, capped at `maxCycleMs` after the cycle began: a cycle active longer is
 * stuck and recovery releases it. @throws ControlPlaneError `conflict` when `owner` holds no live cycle.
 */
export async function renewCycle(
  rt: Runtime,
  sessionId: string,
  input: { owner: string; ttlMs: number },
): Promise<{ expiresAt: number }> {
  checkCycleInput(sessionId, input);
  return rt.mutate("renewCycle", undefined, null, async (tx, now) => {
    const key = cycleLeaseKey(sessionId);
    const held = await tx.leases.get(key);
    const expiresAt = Math.min(now + input.ttlMs, (held?.acquiredAt ?? now) + rt.maxCycleMs);
    if (!held || expiresAt <= now || !(await tx.leases.renew(key, input.owner, expiresAt, now))) {
      throw new ControlPlaneError("conflict", `${input.owner} holds no live cycle of session ${sessionId}`, {
        details: { sessionId, owner: input.owner, holder: held?.owner },
      });
    }
    return { expiresAt };
  });
}

/** Releases the session's cycle if `owner` holds it; returns whether it did. */
export async function endCycle(rt: Runtime, sessionId: string, owner: string): Promise<boolean> {
  requireId(sessionId, "sessionId");
  requireId(owner, "owner");
  return rt.mutate("endCycle", undefined, null, async (tx, now) => {
    const released = await tx.leases.release(cycleLeaseKey(sessionId), owner);
    if (released) await tx.events.append({ sessionId, kind: "cycle_released", payload: { owner }, at: now });
    return released;
  });
}
