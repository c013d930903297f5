import type { StorageTx } from "../../storage/storage.js";
import type { EventRecord } from "../../types/event.js";
import type { AuditProblem } from "./audit-problem.js";
import { parseCheckpoint, type SignedCheckpoint, verifyCheckpointSignature } from "./checkpoint.js";

import type { AuditPublicKey } from "./keys.js";
import { leafBytes } from "./leaf-bytes.js";
import { leafHash, MerkleTree } from "./merkle.js";

/** Input of {@link verifyCheckpoints}. */
export interface VerifyCheckpointsInput {
  /** The log in feed order, from its first event. */
  readonly events: readonly EventRecord[];
  /** Signed checkpoint notes of this log (any order). */
  readonly checkpoints: readonly string[];
  /** Keys that may sign its checkpoints (current and retired). */
  readonly publicKeys: readonly AuditPublicKey[];
  /** The log's origin (default: the first public key's name). */
  readonly origin?: string;
  /** A checkpoint obtained earlier and kept apart from the log: the log must extend it. */
  readonly trustedCheckpoint?: string;
  /** The tree over `events` if already built (its leaves must be the events' leaf hashes). */
  readonly tree?: MerkleTree;
}

/** The Merkle tree over `events` (one leaf per event, in the given order). */
export function eventTree(events: readonly EventRecord[]): MerkleTree {
  return new MerkleTree(events.map((e) => leafHash(leafBytes(e))));
}

const at = (e: EventRecord | undefined) => (e?.seq == null ? {} : { seq: e.seq });

/**
 * Verifies a log against its signed checkpoints, offline: feed order, per-session sequence numbers, each
 * checkpoint's signature, origin and root over the events it covers, and, given a trusted checkpoint, that the log
 * extends it. Returns every problem found (empty when the log verifies).
 * @example
 * const problems = verifyCheckpoints({ events, checkpoints: [note], publicKeys: ring.publicKeys });
 * // [] — or e.g. [{ kind: "root_mismatch", detail: "checkpoint of size 12: …" }]
 */
export function verifyCheckpoints(input: VerifyCheckpointsInput): AuditProblem[] {
  const { events, publicKeys } = input;
  const problems: AuditProblem[] = [...checkFeed(events)];
  const tree = input.tree ?? eventTree(events);
  const origin = input.origin ?? publicKeys[0]?.name;
  const check = (text: string, label: string): SignedCheckpoint | undefined => {
    const parsed = parseCheckpoint(text);
    if (!parsed.ok) {
      problems.push({ kind: "malformed_checkpoint", detail: `${label}: ${parsed.detail}` });
      return undefined;
    }
    const cp = parsed.checkpoint;
    const name = `${label} of size ${cp.size}`;
    const signature = verifyCheckpointSignature(cp, publicKeys);
    if (!signature.ok) problems.push({ kind: "bad_signature", detail: `${name}: ${signature.detail}` });
    if (origin !== undefined && cp.origin !== origin) {
      problems.push({ kind: "origin_mismatch", detail: `${name} is of log "${cp.origin}", not "${origin}"` });
    }
    return cp;
  };
  for (const text of input.checkpoints) {
    const cp = check(text, "checkpoint");
    if (cp === undefined) continue;
    if (cp.size > events.length) {
      problems.push({
        kind: "truncated_log",
        detail: `the checkpoint of size ${cp.size} covers ${cp.size} events, the log has ${events.length}: ${cp.size - events.length} missing at its end`,
      });
    } else if (!tree.rootOf(cp.size).equals(cp.rootHash)) {
      problems.push({
        kind: "root_mismatch",
        detail: `the first ${cp.size} events do not hash to the root of the checkpoint of size ${cp.size}`,
      });
    }
  }
  if (input.trustedCheckpoint !== undefined) {
    const trusted = check(input.trustedCheckpoint, "trusted checkpoint");
    if (trusted !== undefined) {
      if (trusted.size > events.length) {
        problems.push({
          kind: "inconsistent_with_trusted_checkpoint",
          detail: `the trusted checkpoint covers ${trusted.size} events, the log has only ${events.length}`,
        });
      } else if (!tree.rootOf(trusted.size).equals(trusted.rootHash)) {
        problems.push({
          kind: "inconsistent_with_trusted_checkpoint",
          detail: `the first ${trusted.size} events differ from those the trusted checkpoint of size ${trusted.size} vouches for: history was rewritten`,
        });
      }
    }
  }
  return problems;
}

/** Feed ids strictly increasing; each session's sequence numbers 1, 2, 3… in feed order. */
function checkFeed(events: readonly EventRecord[]): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const lastSeq = new Map<string, number>();
  let lastId = 0;
  for (const [i, e] of events.entries()) {
    if (!(e.id > lastId)) {
      problems.push({
        ...at(e),
        kind: "feed_order",
        detail: `event id ${e.id} at feed position ${i} does not follow id ${lastId}`,
      });
    }
    lastId = Math.max(lastId, e.id);
    if (e.sessionId === null || e.seq === null) continue;
    const expected = (lastSeq.get(e.sessionId) ?? 0) + 1;
    if (e.seq !== expected) {
      problems.push({
        seq: e.seq,
        kind: "seq_gap",
        detail: `session ${e.sessionId}: event id ${e.id} has seq ${e.seq}, expected ${expected}`,
      });
    }
    lastSeq.set(e.sessionId, Math.max(e.seq, lastSeq.get(e.sessionId) ?? 0));
  }
  return problems;
}

/**
 * {@link verifyCheckpoints} over the stored log: reads the whole feed and every stored checkpoint through `tx` and
 * checks them with `publicKeys` (the control plane's key ring). For `cp.verifyAudit`.
 */
export async function verifyStoredCheckpoints(
  tx: StorageTx,
  publicKeys: readonly AuditPublicKey[],
  origin?: string,
): Promise<{ readonly checkedEvents: number; readonly problems: AuditProblem[] }> {
  const events: EventRecord[] = [];
  for (;;) {
    const page = await tx.events.feed({ afterId: events.at(-1)?.id ?? 0, limit: 1000 });
    events.push(...page);
    if (page.length < 1000) break;
  }
  const notes: string[] = [];
  let lastSize = -1;
  for (;;) {
    const page = await tx.checkpoints.list({ afterSize: lastSize, limit: 1000 });
    notes.push(...page.map((c) => c.note));
    if (page.length < 1000) break;
    lastSize = page.at(-1)!.size;
  }
  const problems = verifyCheckpoints({
    events,
    checkpoints: notes,
    publicKeys,
    ...(origin === undefined ? {} : { origin }),
  });
  return { checkedEvents: events.length, problems };
}
