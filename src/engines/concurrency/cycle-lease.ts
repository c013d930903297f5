import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { StorageTx } from "../../storage/storage.js";

/** The lease key of a session's cycle. */
export function cycleLeaseKey(sessionId: string): string {
  return `cycle:${sessionId}`;
}

/**
 * Takes the session's single active cycle for `owner` until `expiresAt` (acquire-if-free-or-expired).
 * @throws ControlPlaneError `conflict` when another owner holds an unexpired cycle.
 */
export async function acquireCycle(
  tx: StorageTx,
  sessionId: string,
  owner: string,
  expiresAt: number,
  now: number,
): Promise<void> {
  const ok = await tx.leases.acquire(
    { key: cycleLeaseKey(sessionId), owner, expiresAt, sessionId, proposalId: null, acquiredAt: now },
    now,
  );
  if (!ok) {
    const held = await tx.leases.get(cycleLeaseKey(sessionId));
    throw new ControlPlaneError("conflict", `session ${sessionId} already has an active cycle`, {
      details: { sessionId, owner: held?.owner, expiresAt: held?.expiresAt },
    });
  }
}
