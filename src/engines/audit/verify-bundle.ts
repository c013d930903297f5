import type { EventRecord } from "../../types/event.js";
import { AUDIT_BUNDLE_FORMAT } from "./audit-bundle.js";
import type { AuditProblem } from "./audit-problem.js";
import { parseCheckpoint } from "./checkpoint.js";
import { type AuditPublicKey, parsePublicKey } from "./keys.js";
import { verifyConsistency, verifyInclusion } from "./merkle.js";
import { eventTree, verifyCheckpoints } from "./verify-checkpoints.js";

/** The result of {@link verifyAuditBundle}. */
export interface BundleVerification {
  readonly ok: boolean;
  /** Events in the bundle. */
  readonly checkedEvents: number;
  /** Size of the bundle's newest checkpoint (0 when it has none that parses). */
  readonly treeSize: number;
  readonly problems: readonly AuditProblem[];
}

/** Options of {@link verifyAuditBundle}. */
export interface VerifyBundleOptions {
  /** A checkpoint of this log kept apart from it (signed note text): the bundle's log must extend it. */
  readonly trustedCheckpoint?: string;
}

const invalid = (detail: string): BundleVerification => ({
  ok: false,
  checkedEvents: 0,
  treeSize: 0,
  problems: [{ kind: "bundle_invalid", detail }],
});

const isText = (v: unknown) => typeof v === "string";
const isTextOrNull = (v: unknown) => v === null || typeof v === "string";
const isInt = (v: unknown) => Number.isSafeInteger(v);

/** Why `e` is not an event record, or `undefined`. */
function eventIssue(e: unknown): string | undefined {
  if (e === null || typeof e !== "object" || Array.isArray(e)) return "expected an object";
  const r = e as Record<string, unknown>;
  if (!isInt(r.id)) return "id: expected an integer";
  if (!isTextOrNull(r.sessionId)) return "sessionId: expected a string or null";
  if (!(r.seq === null || isInt(r.seq))) return "seq: expected an integer or null";
  if (!isText(r.kind) || r.kind === "") return "kind: expected a string";
  for (const f of ["agentId", "proposalId", "ticketId"])
    if (!isTextOrNull(r[f])) return `${f}: expected a string`;
  if (r.payload === null || typeof r.payload !== "object" || Array.isArray(r.payload))
    return "payload: expected an object";
  if (!(typeof r.at === "number" && Number.isFinite(r.at))) return "at: expected a number";
  return undefined;
}

const hashList = (v: unknown): Buffer[] | undefined =>
  Array.isArray(v) && v.every(isText) ? v.map((h: string) => Buffer.from(h, "base64")) : undefined;

/**
 * Verifies an audit bundle (see `AuditBundle`) offline — no database: the newest checkpoint's and every earlier
 * checkpoint's signature by one of the bundle's keys, each event's inclusion proof, each consistency proof, the
 * roots recomputed from the events, feed order and per-session sequence numbers, and, given a trusted checkpoint,
 * that the log extends it (its signature must verify with the bundle's keys too, so swapped keys are caught).
 * Every problem is reported; `ok` when there is none.
 * @example
 * const result = verifyAuditBundle(JSON.parse(readFileSync("audit.json", "utf8")));
 * if (!result.ok) for (const p of result.problems) console.log(p.kind, p.detail);
 */
export function verifyAuditBundle(input: unknown, options: VerifyBundleOptions = {}): BundleVerification {
  if (input === null || typeof input !== "object" || Array.isArray(input))
    return invalid("expected a JSON object");
  const b = input as Record<string, unknown>;
  if (b.format !== AUDIT_BUNDLE_FORMAT) return invalid(`format: expected "${AUDIT_BUNDLE_FORMAT}"`);
  if (!isText(b.origin)) return invalid("origin: expected a string");
  if (!isText(b.checkpoint)) return invalid("checkpoint: expected a signed note");
  if (!Array.isArray(b.public_keys) || b.public_keys.length === 0)
    return invalid("public_keys: expected keys");
  const keys: AuditPublicKey[] = [];
  for (const [i, text] of b.public_keys.entries()) {
    try {
      keys.push(parsePublicKey(text, `public_keys[${i}]`, "bundle"));
    } catch (error) {
      return invalid((error as Error).message.split("\n").at(-1)?.trim() ?? `public_keys[${i}]: invalid`);
    }
  }
  if (!Array.isArray(b.events)) return invalid("events: expected a list");
  for (const [i, e] of b.events.entries()) {
    const issue = eventIssue(e);
    if (issue !== undefined) return invalid(`events[${i}].${issue}`);
  }
  const events = b.events as EventRecord[];
  const proofs = Array.isArray(b.inclusion_proofs) ? b.inclusion_proofs.map(hashList) : undefined;
  if (proofs === undefined || proofs.some((p) => p === undefined)) {
    return invalid("inclusion_proofs: expected a list of lists of base64 hashes");
  }
  const earlier = Array.isArray(b.earlier_checkpoints) ? b.earlier_checkpoints : undefined;
  if (
    earlier === undefined ||
    !earlier.every(
      (c) => c !== null && typeof c === "object" && isText(c.checkpoint) && hashList(c.consistency_proof),
    )
  ) {
    return invalid("earlier_checkpoints: expected a list of { checkpoint, consistency_proof }");
  }
  const tree = eventTree(events);
  const problems = verifyCheckpoints({
    events,
    checkpoints: [b.checkpoint as string, ...earlier.map((c) => c.checkpoint as string)],
    publicKeys: keys,
    origin: b.origin as string,
    tree,
    ...(options.trustedCheckpoint === undefined ? {} : { trustedCheckpoint: options.trustedCheckpoint }),
  });
  const latest = parseCheckpoint(b.checkpoint);
  if (!latest.ok) return { ok: false, checkedEvents: events.length, treeSize: 0, problems };
  const { size, rootHash } = latest.checkpoint;
  for (const [i, e] of events.entries()) {
    if (i >= size) {
      problems.push({
        kind: "unsealed_events",
        detail: `${events.length - size} events after the checkpoint of size ${size} (from event id ${e.id}) are vouched for by nothing`,
      });
      break;
    }
    const proof = proofs[i];
    if (proof === undefined || !verifyInclusion(tree.leaf(i), i, size, proof, rootHash)) {
      problems.push({
        ...(e.seq === null ? {} : { seq: e.seq }),
        kind: "inclusion_failed",
        detail: `event id ${e.id} (feed position ${i}${e.sessionId ? `, session ${e.sessionId}` : ""}) is not included in the checkpoint of size ${size}: edited, moved or inserted`,
      });
    }
  }
  for (const c of earlier) {
    const old = parseCheckpoint(c.checkpoint);
    if (!old.ok) continue; // reported as malformed_checkpoint
    const proof = hashList(c.consistency_proof)!;
    if (!verifyConsistency(old.checkpoint.size, size, proof, old.checkpoint.rootHash, rootHash)) {
      problems.push({
        kind: "inconsistent_checkpoint",
        detail: `the checkpoint of size ${size} does not extend the earlier checkpoint of size ${old.checkpoint.size}`,
      });
    }
  }
  return { ok: problems.length === 0, checkedEvents: events.length, treeSize: size, problems };
}
