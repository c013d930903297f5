/**
 * Kinds of problems an audit verification reports:
 * - `payload_changed`: an event's content no longer matches its link (while the link itself still chains on);
 * - `missing_event`: a gap in a session's sequence numbers (an event deleted from the middle);
 * - `reordered`: events stand in another order than the one they were appended in;
 * - `chain_broken`: a stored link does not follow from its predecessor (a link rewritten or forged);
 * - `truncated`: events cut from a session's tail (its stored last seq or head link is further on);
 * - `unchained`: events appended before the chain existed (no link to check);
 * and the kinds of the signed checkpoints and audit bundles, each described below.
 */
export const AUDIT_PROBLEM_KINDS = [
  "payload_changed",
  "missing_event",
  "reordered",
  "chain_broken",
  "truncated",
  "unchained",
  /** The bundle file is not a bundle (missing or mistyped field). */
  "bundle_invalid",
  /** A checkpoint note cannot be parsed. */
  "malformed_checkpoint",
  /** A checkpoint is not validly signed by a known key (forged, or signed with another key). */
  "bad_signature",
  /** A checkpoint names another log. */
  "origin_mismatch",
  /** The events do not hash to a checkpoint's root (an edited, inserted, deleted or reordered event). */
  "root_mismatch",
  /** An event is not included in the checkpoint by its inclusion proof (it was edited or moved). */
  "inclusion_failed",
  /** A consistency proof between two checkpoints fails. */
  "inconsistent_checkpoint",
  /** The log has fewer events than a checkpoint covers (its tail was cut). */
  "truncated_log",
  /** Events beyond the newest checkpoint: nothing vouches for them. */
  "unsealed_events",
  /** Feed ids are not strictly increasing. */
  "feed_order",
  /** A session's sequence numbers are not 1, 2, 3… (an event deleted, duplicated or moved). */
  "seq_gap",
  /** The log does not extend the trusted checkpoint (history rewritten, or cut below it). */
  "inconsistent_with_trusted_checkpoint",
] as const;

/** One of {@link AUDIT_PROBLEM_KINDS}. */
export type AuditProblemKind = (typeof AUDIT_PROBLEM_KINDS)[number];

/** One finding of an audit verification. */
export interface AuditProblem {
  readonly kind: AuditProblemKind;
  /** The session concerned (absent for a problem of the global log). */
  readonly sessionId?: string;
  /** The first sequence number concerned. */
  readonly seq?: number;
  /** What is wrong, for a human. */
  readonly detail: string;
}

/** The result of `verifyAudit`: `ok` exactly when `problems` is empty. */
export interface AuditReport {
  readonly ok: boolean;
  /** How many events were checked. */
  readonly checkedEvents: number;
  readonly problems: readonly AuditProblem[];
}
