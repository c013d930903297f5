import type { StorageTx } from "../storage/storage.js";

/**
 * The id of the newest event a feed reader can see now (0 when the feed is empty): a reader that starts
 * after it gets exactly the events committed from now on. Found with O(log n) one-row feed reads (exponential
 * then binary search on "is there an event after id x?"), so it keeps every adapter's visibility guarantee:
 * on PostgreSQL the feed never shows an id while a lower one may still commit, and neither does this.
 */
export async function feedHead(tx: StorageTx): Promise<number> {
  const after = async (id: number) => (await tx.events.feed({ afterId: id, limit: 1 })).length > 0;
  if (!(await after(0))) return 0;
  // Invariant: an event exists after `low`; none after `high`.
  let low = 0;
  let high = 1;
  while (await after(high)) {
    low = high;
    high *= 2;
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (await after(mid)) low = mid;
    else high = mid;
  }
  return high;
}
