import type { StorageTx } from "../../storage/storage.js";
import { cycleLeaseKey } from "../concurrency/cycle-lease.js";
import { executionLeaseKey, settleLostLease } from "../concurrency/resource-lock.js";

/** Counts of what a recovery pass did. */
export interface LeaseRecovery {
  readonly leasesReleased: number;
  readonly outcomeUnknown: number;
  readonly cyclesReleased: number;
}

/**
 * Releases up to `limit` expired leases (each exactly once, however many recoverers race) and records why:
 * a proposal that was executing when its holder stopped heartbeating becomes `outcome_unknown` — never marked
 * succeeded, never retried — and is surfaced to operators; a stuck session cycle is released
 * (`cycle_released`); any other hold gets `lease_expired`.
 */
export async function recoverExpiredLeases(
  tx: StorageTx,
  now: number,
  limit: number,
): Promise<LeaseRecovery> {
  let leasesReleased = 0;
  let outcomeUnknown = 0;
  let cyclesReleased = 0;
  for (const lease of await tx.leases.listExpired(now, limit)) {
    if (!(await tx.leases.releaseExpired(lease.key, lease.owner, now))) continue;
    leasesReleased++;
    const base = { sessionId: lease.sessionId, at: now } as const;
    if (lease.sessionId !== null && lease.key === cycleLeaseKey(lease.sessionId)) {
      cyclesReleased++;
      await tx.events.append({
        ...base,
        kind: "cycle_released",
        payload: {
          owner: lease.owner,
          reason: "cycle lease expired (stuck cycle)",
          expiredAt: lease.expiresAt,
        },
      });
      continue;
    }
    if (await settleLostLease(tx, lease, now)) {
      outcomeUnknown++;
      continue;
    }
    await tx.events.append({
      ...base,
      kind: "lease_expired",
      proposalId: lease.proposalId,
      payload: { key: lease.key, owner: lease.owner, expiredAt: lease.expiresAt },
    });
  }
  return { leasesReleased, outcomeUnknown, cyclesReleased };
}

/**
 * The backstop of {@link recoverExpiredLeases}, part one (a read): the ids of executing proposals whose
 * execution lease is gone altogether (released without settling, or taken over unreported). Reads the
 * executing proposals `pageSize` at a time.
 */
export async function findOrphanedExecutions(tx: StorageTx, pageSize: number): Promise<string[]> {
  const orphans: string[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await tx.proposals.list({ statuses: ["executing"], limit: pageSize, offset });
    for (const p of page) {
      const lease = await tx.leases.get(executionLeaseKey(p));
      if (lease === undefined || lease.owner !== p.id) orphans.push(p.id);
    }
    if (page.length < pageSize) return orphans;
  }
}

/**
 * Part two (in a write transaction): settles each of `proposalIds` that is still executing without its
 * execution lease as `outcome_unknown`, so that after recovery no proposal is `executing` without a live
 * lease. Guarded by the status: racing recoverers settle each once. Returns how many it settled.
 */
export async function settleOrphanedExecutions(
  tx: StorageTx,
  proposalIds: readonly string[],
  now: number,
): Promise<number> {
  let settled = 0;
  for (const id of proposalIds) {
    const p = await tx.proposals.get(id);
    if (p?.status !== "executing") continue;
    const key = executionLeaseKey(p);
    const lease = await tx.leases.get(key);
    if (lease !== undefined && lease.owner === p.id) continue;
    const lost = {
      key,
      owner: p.id,
      sessionId: p.sessionId,
      proposalId: p.id,
      acquiredAt: 0,
      expiresAt: now,
    };
    if (await settleLostLease(tx, lost, now)) settled++;
  }
  return settled;
}
