import type { StorageTx } from "../../storage/storage.js";
import { cycleLeaseKey } from "../concurrency/cycle-lease.js";

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
    const proposal =
      lease.proposalId === null
        ? undefined
        : await tx.proposals.transition(lease.proposalId, ["executing"], {
            status: "outcome_unknown",
            updatedAt: now,
          });
    if (proposal) {
      outcomeUnknown++;
      await tx.events.append({
        ...base,
        kind: "outcome_unknown",
        agentId: proposal.agentId,
        proposalId: proposal.id,
        payload: {
          action: proposal.action,
          resourceId: proposal.resourceId,
          reason: "the executing holder stopped heartbeating; the side effect may or may not have happened",
          leaseExpiredAt: lease.expiresAt,
        },
      });
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
