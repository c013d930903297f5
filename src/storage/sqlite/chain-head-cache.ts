/** A session's sequence counter and audit chain head, as this connection last wrote or read them. */
export interface KnownHead {
  readonly lastSeq: number;
  /** `acp_sessions.chain_head` (`null`: no chained event yet). */
  readonly head: string | null;
}

/**
 * A bounded cache of `(last_seq, chain_head)` per session on the write connection, so that appending an event
 * is one guarded `UPDATE acp_sessions SET last_seq = ?, chain_head = ? WHERE id = ? AND last_seq = ? AND
 * chain_head IS ?` plus the insert, instead of advancing the counter, inserting, then writing the head.
 *
 * Correctness does not rest on the cache being current: the guard compares both columns with the row as it is
 * in the write transaction (writers are serialised by `BEGIN IMMEDIATE`), so a stale entry (another process
 * appended, a rollback undid a write) changes nothing and the append falls back to reading the row. The owner
 * still clears the cache on every rollback, so that a stale entry costs at most one refused statement.
 */
export class ChainHeadCache {
  private readonly entries = new Map<string, KnownHead>();

  constructor(private readonly capacity = 4096) {}

  get(sessionId: string): KnownHead | undefined {
    return this.entries.get(sessionId);
  }

  set(sessionId: string, known: KnownHead): void {
    if (this.entries.size >= this.capacity && !this.entries.has(sessionId)) {
      // Evict the oldest entry (a Map iterates in insertion order).
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(sessionId, known);
  }

  delete(sessionId: string): void {
    this.entries.delete(sessionId);
  }

  /** Forgets everything (call after any rollback on the connection). */
  clear(): void {
    this.entries.clear();
  }
}
