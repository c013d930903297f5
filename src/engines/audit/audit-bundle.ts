import type { StoredCheckpoint } from "../../storage/checkpoint-store.js";
import type { StorageTx } from "../../storage/storage.js";
import type { EventRecord } from "../../types/event.js";
import type { AuditPublicKey } from "./keys.js";
import { eventTree } from "./verify-checkpoints.js";

/** The format tag of an audit bundle. */
export const AUDIT_BUNDLE_FORMAT = "acp-audit-bundle/1";

/** An earlier checkpoint of the log with the proof that the newest checkpoint extends it. */
export interface BundledCheckpoint {
  readonly checkpoint: string;
  /** RFC 9162 consistency proof from this checkpoint's size to the newest checkpoint's size (base64 hashes). */
  readonly consistency_proof: readonly string[];
}

/**
 * A self-contained, offline-verifiable export of the audit log (`acp audit export`): the events its newest
 * checkpoint covers, that signed checkpoint, an inclusion proof per event, the earlier checkpoints with
 * consistency proofs, and the public keys (current and retired) that verify them. Events keep the library's
 * `EventRecord` fields; their leaf is their canonical JSON.
 */
export interface AuditBundle {
  readonly format: typeof AUDIT_BUNDLE_FORMAT;
  readonly origin: string;
  readonly exported_at: string;
  /** Verifier keys `name+hex8+base64`, current first. */
  readonly public_keys: readonly string[];
  /** The newest signed checkpoint (C2SP signed note). */
  readonly checkpoint: string;
  /** The first `size` feed events, in feed order. */
  readonly events: readonly EventRecord[];
  /** `inclusion_proofs[i]`: RFC 9162 inclusion proof of `events[i]` in the checkpoint's tree (base64 hashes). */
  readonly inclusion_proofs: readonly (readonly string[])[];
  readonly earlier_checkpoints: readonly BundledCheckpoint[];
}

const PAGE = 1000;
const b64 = (hashes: readonly Buffer[]) => hashes.map((h) => h.toString("base64"));

async function allCheckpoints(tx: StorageTx): Promise<StoredCheckpoint[]> {
  const all: StoredCheckpoint[] = [];
  for (;;) {
    const page = await tx.checkpoints.list({ afterSize: all.at(-1)?.size ?? -1, limit: PAGE });
    all.push(...page);
    if (page.length < PAGE) return all;
  }
}

async function firstEvents(tx: StorageTx, count: number): Promise<EventRecord[]> {
  const events: EventRecord[] = [];
  while (events.length < count) {
    const limit = Math.min(PAGE, count - events.length);
    const page = await tx.events.feed({ afterId: events.at(-1)?.id ?? 0, limit });
    events.push(...page);
    if (page.length < limit) break;
  }
  return events;
}

/**
 * Builds the bundle of the log as stored: the newest checkpoint, the events it covers, proofs computed from those
 * events. It packages what the database holds without judging it: a tampered log gives a bundle whose proofs
 * fail. `undefined` when no checkpoint has been sealed yet.
 */
export async function buildAuditBundle(
  tx: StorageTx,
  origin: string,
  publicKeys: readonly AuditPublicKey[],
  now: number,
): Promise<AuditBundle | undefined> {
  const checkpoints = await allCheckpoints(tx);
  const latest = checkpoints.at(-1);
  if (latest === undefined) return undefined;
  const events = await firstEvents(tx, latest.size);
  const tree = eventTree(events);
  const size = Math.min(latest.size, events.length);
  return {
    format: AUDIT_BUNDLE_FORMAT,
    origin,
    exported_at: new Date(now).toISOString(),
    public_keys: publicKeys.map((k) => k.text),
    checkpoint: latest.note,
    events,
    inclusion_proofs: events.map((_, i) => b64(tree.inclusionProof(i, size))),
    earlier_checkpoints: checkpoints.slice(0, -1).map((cp) => ({
      checkpoint: cp.note,
      consistency_proof: cp.size <= size ? b64(tree.consistencyProof(cp.size, size)) : [],
    })),
  };
}
