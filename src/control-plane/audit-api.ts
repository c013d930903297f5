import { type AuditBundle, buildAuditBundle } from "../engines/audit/audit-bundle.js";
import type { AuditKeyRing } from "../engines/audit/keys.js";
import { nextCheckpoint } from "../engines/audit/next-checkpoint.js";
import { ControlPlaneError } from "../errors/control-plane-error.js";
import type { StoredCheckpoint } from "../storage/checkpoint-store.js";
import type { Runtime } from "./runtime.js";

/** A sealed checkpoint of the audit log: the signed note and what it commits to. */
export interface CheckpointView {
  /** The log's origin (first line of the note). */
  readonly origin: string;
  /** Number of feed events covered: the first `size` events in feed order. */
  readonly size: number;
  /** The RFC 9162 Merkle root, base64. */
  readonly rootHash: string;
  /** Feed id of the last covered event. */
  readonly lastEventId: number;
  /** The C2SP signed note (keep a copy apart from the log to check later exports against it). */
  readonly note: string;
  readonly createdAt: number;
}

/** The view of a stored checkpoint. */
export function checkpointView(cp: StoredCheckpoint): CheckpointView {
  return {
    origin: cp.note.slice(0, cp.note.indexOf("\n")),
    size: cp.size,
    rootHash: cp.rootHash,
    lastEventId: cp.lastEventId,
    note: cp.note,
    createdAt: cp.createdAt,
  };
}

function keysOf(rt: Runtime, operation: string): AuditKeyRing {
  if (rt.auditKeys === undefined) {
    throw new ControlPlaneError(
      "validation_failed",
      `${operation} needs the audit keys: pass auditKeys (readKeyRing(file)) to createControlPlane`,
      { details: { option: "auditKeys" } },
    );
  }
  return rt.auditKeys;
}

/** The newest sealed checkpoint, if any. */
export async function latestCheckpoint(rt: Runtime): Promise<CheckpointView | undefined> {
  rt.assertOpen();
  const cp = await rt.storage.read((tx) => tx.checkpoints.latest());
  return cp === undefined ? undefined : checkpointView(cp);
}

/**
 * Seals a checkpoint of the feed now if it grew since the latest one (safe in several processes at once: each
 * size is sealed once). Returns the new checkpoint, or `undefined` when there was nothing new to seal.
 * @throws ControlPlaneError `validation_failed` when the control plane has no `auditKeys`.
 */
export async function sealCheckpoint(rt: Runtime): Promise<CheckpointView | undefined> {
  rt.assertOpen();
  const ring = keysOf(rt, "sealing a checkpoint");
  // Computed in a read, stored with insert-if-new-size: the feed prefix a checkpoint covers never changes.
  const next = await rt.storage.read((tx) => nextCheckpoint(tx, ring, rt.clock.now()));
  if (next === undefined) return undefined;
  const stored = await rt.storage.transaction((tx) => tx.checkpoints.insert(next));
  return stored ? checkpointView(next) : undefined;
}

/**
 * Seals a checkpoint if the feed grew, then builds the audit bundle of everything up to the newest checkpoint.
 * `undefined` when the feed is empty (nothing to seal).
 * @throws ControlPlaneError `validation_failed` when the control plane has no `auditKeys`.
 */
export async function exportAudit(rt: Runtime): Promise<AuditBundle | undefined> {
  const ring = keysOf(rt, "exporting the audit log");
  await sealCheckpoint(rt);
  return rt.storage.read((tx) => buildAuditBundle(tx, ring.origin, ring.publicKeys, rt.clock.now()));
}
