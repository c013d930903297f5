import type { StorageTx } from "../../storage/storage.js";

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
 * was taken (or already held by `owner`).
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
  return tx.leases.acquire(
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
}

/** Releases the resource lock held by `owner`; a no-op when there is none. */
export async function unlockResource(tx: StorageTx, key: string | null, owner: string): Promise<void> {
  if (key !== null) await tx.leases.release(key, owner);
}
