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
 * What the cache keeps of a proposal: its fixed fields, with `args`, `metadata` and `trace` as their JSON text.
 * Each read parses them into fresh objects, so no caller ever holds an object the cache hands to the next one
 * (a caller changing a returned record cannot change later reads).
 */
export type CachedProposal = Omit<FixedProposalFields, "args" | "metadata" | "trace"> & {
  readonly argsJson: string;
  readonly metadataJson: string;
  readonly traceJson: string;
};

/**
 * A bounded cache of the immutable fields of recently written or read proposals, so that reading a proposal
 * back (e.g. on `complete`) only fetches the columns a transition can change (its JSON fields are parsed from
 * the cached text, never shared).
 *
 * Correctness: an entry comes from a row this connection inserted or read. A row read from committed data
 * never changes these fields. A row inserted by a transaction that is later rolled back could be re-inserted
 * with other values, so the owner clears the cache on every rollback ({@link clear}); every read also checks
 * `fingerprint` and `created_at` against the row and falls back to the full row on a mismatch. Only
 * connections whose rollbacks the adapter sees (never a host's `external` transaction) use a cache.
 */
export class ProposalCache {
  private readonly entries = new Map<string, CachedProposal>();

  constructor(private readonly capacity = 4096) {}

  get(id: string): CachedProposal | undefined {
    return this.entries.get(id);
  }

  set(record: CachedProposal): void {
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
