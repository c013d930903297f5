/**
 * Kinds of problems an audit verification reports:
 * - `payload_changed`: an event's content no longer matches its link (while the link itself still chains on);
 * - `missing_event`: a gap in a session's sequence numbers (an event deleted from the middle);
 * - `reordered`: events stand in another order than the one they were appended in;
 * - `chain_broken`: a stored link does not follow from its predecessor (a link rewritten or forged);
 * - `truncated`: events cut from a session's tail (its stored last seq or head link is further on);
 * - `unchained`: events appended before the chain existed (no link to check).
 */
export const AUDIT_PROBLEM_KINDS = [
  "payload_changed",
  "missing_event",
  "reordered",
  "chain_broken",
  "truncated",
  "unchained",
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
