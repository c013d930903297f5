import type { StorageTx } from "../../storage/storage.js";
import type { LeaseRecord } from "../../types/lease.js";

/** The lease key that locks a resource, or `null` when the proposal names no resource. */
export function resourceLockKey(resourceType: string | null, resourceId: string | null): string | null {
  if (resourceId === null) return null;
  return `resource:${resourceType ?? ""}:${resourceId}`;
}

/**
 * The lease an executing proposal holds while its side effect runs: its resource lock, or `proposal:<id>` when
 * it names no resource. Its expiry is the execution deadline: a holder that stops heartbeating loses it, and
 * recovery then records the outcome as unknown.
 */
export function executionLeaseKey(p: {
  readonly id: string;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
}): string {
  return resourceLockKey(p.resourceType, p.resourceId) ?? `proposal:${p.id}`;
}

/**
 * Locks the resource of a proposal for `owner` (the proposal id) until `expiresAt`. A resource is locked while
 * a proposal on it is pending approval or executing. Returns `true` if there is nothing to lock or the lock
 * was taken (or already held by `owner`). Taking over an expired lock settles its holder: a proposal that was
 * still executing becomes `outcome_unknown` (see {@link settleLostLease}), exactly once.
 */
export async function lockResource(
  tx: StorageTx,
  key: string | null,
  lock: {
    readonly owner: string;
    readonly sessionId: string;
    readonly expiresAt: number;
    readonly now: number;
  },
): Promise<boolean> {
  if (key === null) return true;
  const taken = await tx.leases.acquireDisplacing(
    {
      key,
      owner: lock.owner,
      expiresAt: lock.expiresAt,
      sessionId: lock.sessionId,
      proposalId: lock.owner,
      acquiredAt: lock.now,
    },
    lock.now,
  );
  if (taken.acquired && taken.displaced !== undefined) await settleLostLease(tx, taken.displaced, lock.now);
  return taken.acquired;
}

/**
 * Settles the work of a holder that lost its execution lease (expired, then released by recovery or taken
 * over): if its proposal is still `executing` it becomes `outcome_unknown` — never marked succeeded, never
 * retried — with an `outcome_unknown` event. Guarded by the status, so it happens once however many settle
 * it. Returns whether it did.
 */
export async function settleLostLease(tx: StorageTx, lease: LeaseRecord, now: number): Promise<boolean> {
  if (lease.proposalId === null) return false;
  const proposal = await tx.proposals.transition(lease.proposalId, ["executing"], {
    status: "outcome_unknown",
    updatedAt: now,
  });
  if (!proposal) return false;
  await tx.events.append({
    sessionId: proposal.sessionId,
    kind: "outcome_unknown",
    agentId: proposal.agentId,
    proposalId: proposal.id,
    payload: {
      action: proposal.action,
      resourceId: proposal.resourceId,
      reason: "the executing holder stopped heartbeating; the side effect may or may not have happened",
      leaseExpiredAt: lease.expiresAt,
    },
    at: now,
  });
  return true;
}

/** Releases the resource lock held by `owner`; a no-op when there is none. */
export async function unlockResource(tx: StorageTx, key: string | null, owner: string): Promise<void> {
  if (key !== null) await tx.leases.release(key, owner);
}
