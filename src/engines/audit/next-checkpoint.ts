import type { StoredCheckpoint } from "../../storage/checkpoint-store.js";
import type { StorageTx } from "../../storage/storage.js";
import { signCheckpoint } from "./checkpoint.js";
import type { AuditKeyRing } from "./keys.js";
import { leafBytes } from "./leaf-bytes.js";
import { appendToFrontier, frontierRoot, leafHash } from "./merkle.js";

/** How many feed events one read of a seal takes. */
const PAGE = 1000;

/** Number of set bits of a non-negative safe integer. */
function bitCount(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v % 2;
  return count;
}

/**
 * The next checkpoint to seal when the feed grew since the latest one: extends the latest checkpoint's tree (its
 * frontier) with every feed event after its last event id, in feed order, and signs the new size and root with
 * the ring's signing key. Only reads: store the result with `tx.checkpoints.insert` (insert-if-new-size), in any
 * later transaction — the feed prefix a checkpoint covers never changes, so several sealers may run at once and
 * every stored checkpoint extends the earlier ones. `undefined` when the feed did not grow.
 */
export async function nextCheckpoint(
  tx: StorageTx,
  ring: AuditKeyRing,
  now: number,
): Promise<StoredCheckpoint | undefined> {
  const latest = await tx.checkpoints.latest();
  // A damaged frontier (one subtree per set bit of the size) is not extended: the tree is rebuilt from the feed.
  const usable = latest !== undefined && latest.frontier.length === bitCount(latest.size);
  let size = usable ? latest.size : 0;
  let lastEventId = usable ? latest.lastEventId : 0;
  let frontier: Buffer[] = usable ? latest.frontier.map((h) => Buffer.from(h, "base64")) : [];
  for (;;) {
    const page = await tx.events.feed({ afterId: lastEventId, limit: PAGE });
    for (const event of page) {
      frontier = appendToFrontier(frontier, size, leafHash(leafBytes(event)));
      size += 1;
      lastEventId = event.id;
    }
    if (page.length < PAGE) break;
  }
  if (size === (latest?.size ?? 0)) return undefined;
  const rootHash = frontierRoot(frontier);
  return {
    size,
    lastEventId,
    rootHash: rootHash.toString("base64"),
    frontier: frontier.map((h) => h.toString("base64")),
    note: signCheckpoint({ origin: ring.origin, size, rootHash }, ring.signer),
    createdAt: now,
  };
}
