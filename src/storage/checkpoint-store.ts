/**
 * A sealed checkpoint of the audit log's Merkle tree (see `engines/audit`): the signed note plus what the next
 * seal needs to extend the tree without reading the earlier events again.
 */
export interface StoredCheckpoint {
  /** Number of feed events (leaves) the checkpoint covers: the first `size` events in feed order. */
  readonly size: number;
  /** Feed id of the last covered event (0 for an empty tree): the next seal reads the feed after it. */
  readonly lastEventId: number;
  /** The Merkle root, base64 (as in the note). */
  readonly rootHash: string;
  /** The tree's right edge (roots of its perfect subtrees, largest first), base64. */
  readonly frontier: readonly string[];
  /** The C2SP signed note. */
  readonly note: string;
  readonly createdAt: number;
}

/**
 * Checkpoints of the audit log, one per tree size. Each write is one guarded primitive: several processes may
 * seal at once, and one size is stored at most once.
 */
export interface CheckpointStore {
  /**
   * Insert-if-new-size: stores `checkpoint` unless a checkpoint of the same size exists (which is kept). Returns
   * whether it was stored. Two racing sealers of one size store it once.
   */
  insert(checkpoint: StoredCheckpoint): Promise<boolean>;
  /** The checkpoint with the largest size, if any. */
  latest(): Promise<StoredCheckpoint | undefined>;
  /** Checkpoints with `size > afterSize`, ascending by size. */
  list(query: { readonly afterSize?: number; readonly limit: number }): Promise<readonly StoredCheckpoint[]>;
}
