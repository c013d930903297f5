import { NotFoundError } from "../../errors/control-plane-error.js";
import type { Storage } from "../../storage/storage.js";
import type { ChainedEvent, ChainHead } from "../../types/audit-chain.js";
import type { AuditProblem, AuditReport } from "./audit-problem.js";
import type { AuditPublicKey } from "./keys.js";
import { verifyChain } from "./verify-chain.js";
import { verifyStoredCheckpoints } from "./verify-checkpoints.js";

/** What to verify: one session, or (without `sessionId`) every session. */
export interface VerifyAuditQuery {
  readonly sessionId?: string;
}

/** What one audit check found. */
export interface AuditCheckResult {
  /** Events it checked. */
  readonly checkedEvents: number;
  readonly problems: readonly AuditProblem[];
}

/**
 * One audit check over the stored log (the per-session hash chain is one; checkpoint checks are others). It reads
 * through `storage` and returns its findings; it never writes.
 */
export type AuditCheck = (storage: Storage, query: VerifyAuditQuery) => Promise<AuditCheckResult>;

/** Events read per page. */
const PAGE = 1000;

async function readChain(storage: Storage, head: ChainHead): Promise<ChainedEvent[]> {
  // Only seqs up to the head read first: events appended meanwhile are not part of what the head vouches for.
  return storage.read(async (tx) => {
    const events: ChainedEvent[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = await tx.events.chain(head.sessionId, { afterSeq, upToSeq: head.lastSeq, limit: PAGE });
      events.push(...page);
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined) return events;
      afterSeq = last.event.seq ?? head.lastSeq;
    }
  });
}

/**
 * The per-session hash chain check: for each session (one, or all of them page by page), reads its head, then
 * its events up to the head's seq, and runs {@link verifyChain}.
 * @throws NotFoundError when `query.sessionId` names no session.
 */
export const chainAuditCheck: AuditCheck = async (storage, query) => {
  const problems: AuditProblem[] = [];
  let checkedEvents = 0;
  const verify = async (head: ChainHead): Promise<void> => {
    const events = await readChain(storage, head);
    checkedEvents += events.length;
    problems.push(...verifyChain({ head, events }));
  };
  if (query.sessionId !== undefined) {
    const sessionId = query.sessionId;
    const [head] = await storage.read((tx) => tx.events.chainHeads({ sessionId, limit: 1 }));
    if (head === undefined) throw new NotFoundError("session", sessionId);
    await verify(head);
    return { checkedEvents, problems };
  }
  let afterSessionId: string | undefined;
  for (;;) {
    const after = afterSessionId;
    const heads = await storage.read((tx) =>
      tx.events.chainHeads(after === undefined ? { limit: PAGE } : { afterSessionId: after, limit: PAGE }),
    );
    for (const head of heads) await verify(head);
    if (heads.length < PAGE) return { checkedEvents, problems };
    afterSessionId = heads.at(-1)!.sessionId;
  }
};

/**
 * The checkpoint check: the whole feed against every stored signed checkpoint (signatures with `publicKeys`,
 * roots, consistency between checkpoints, events cut after one). Whole-log only: a one-session query skips it.
 */
export function checkpointAuditCheck(publicKeys: readonly AuditPublicKey[], origin?: string): AuditCheck {
  return async (storage, query) => {
    if (query.sessionId !== undefined) return { checkedEvents: 0, problems: [] };
    return storage.read((tx) => verifyStoredCheckpoints(tx, publicKeys, origin));
  };
}

/** Every audit check, combined in this one place: `verifyAudit` runs them all and merges their findings. */
export const AUDIT_CHECKS: readonly AuditCheck[] = [chainAuditCheck];

/**
 * Runs every check of {@link AUDIT_CHECKS} over the stored log. `checkedEvents` is the largest count a check
 * reports (checks may look at the same events); `ok` is true exactly when no check found a problem.
 * @example
 * const report = await verifyAudit(storage, { sessionId: "s1" });
 * if (!report.ok) for (const p of report.problems) console.error(p.kind, p.seq, p.detail);
 */
export async function verifyAudit(
  storage: Storage,
  query: VerifyAuditQuery = {},
  checks: readonly AuditCheck[] = AUDIT_CHECKS,
): Promise<AuditReport> {
  let checkedEvents = 0;
  const problems: AuditProblem[] = [];
  for (const check of checks) {
    const result = await check(storage, query);
    checkedEvents = Math.max(checkedEvents, result.checkedEvents);
    problems.push(...result.problems);
  }
  return { ok: problems.length === 0, checkedEvents, problems };
}
