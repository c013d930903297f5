import type { ProposalRecord } from "../../types/proposal-record.js";

/** The fields of a proposal that never change after its insert (no store method writes them). */
export type FixedProposalFields = Pick<
  ProposalRecord,
  | "id"
  | "sessionId"
  | "agentId"
  | "action"
  | "resourceType"
  | "resourceId"
  | "args"
  | "metadata"
  | "fingerprint"
  | "riskLevel"
  | "tier"
  | "trace"
  | "cost"
  | "createdAt"
>;

/**
 * A bounded cache of the immutable fields of recently written or read proposals, so that reading a proposal
 * back (e.g. on `complete`) only fetches the columns a transition can change and parses no JSON.
 *
 * Correctness: an entry comes from a row this connection inserted or read. A row read from committed data
 * never changes these fields. A row inserted by a transaction that is later rolled back could be re-inserted
 * with other values, so the owner clears the cache on every rollback ({@link clear}); every read also checks
 * `fingerprint` and `created_at` against the row and falls back to the full row on a mismatch. Only
 * connections whose rollbacks the adapter sees (never a host's `external` transaction) use a cache.
 */
export class ProposalCache {
  private readonly entries = new Map<string, FixedProposalFields>();

  constructor(private readonly capacity = 4096) {}

  get(id: string): FixedProposalFields | undefined {
    return this.entries.get(id);
  }

  set(record: FixedProposalFields): void {
    if (this.entries.size >= this.capacity && !this.entries.has(record.id)) {
      // Evict the oldest entry (a Map iterates in insertion order).
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(record.id, record);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  /** Forgets everything (call after any rollback on the connection). */
  clear(): void {
    this.entries.clear();
  }
}
