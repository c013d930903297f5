import { describe, expect, it } from "vitest";
import type { SqlConnection } from "../src/storage/sqlite/driver.js";
import { GroupCommitQueue } from "../src/storage/sqlite/group-commit.js";
import type { SqliteStores } from "../src/storage/sqlite/sqlite-tx.js";

/** A queue over a connection that records its statements (every call resolves at once, like better-sqlite3). */
function recordingQueue(gatherWrites = true) {
  const statements: string[] = [];
  const conn: SqlConnection = {
    execute: async (sql) => {
      statements.push(sql);
      return { changes: 0 } as never;
    },
    values: async () => [],
  };
  const queue = new GroupCommitQueue(
    { withConnection: (fn) => fn(conn, {} as SqliteStores) },
    { maxBatch: 256, gatherWrites, onCommitted: () => undefined },
  );
  return { queue, commits: () => statements.filter((s) => s === "COMMIT").length };
}

describe("SQLite group commit", () => {
  /** Three requests read from three sockets in one poll: three callbacks, each enqueuing a write. */
  const threeCallbacks = (queue: GroupCommitQueue) =>
    Promise.all(
      [1, 2, 3].map(
        (n) =>
          new Promise<number>((resolve, reject) =>
            setImmediate(() => queue.write(async () => n).then(resolve, reject)),
          ),
      ),
    );

  it("with gatherWrites, commits writes enqueued by I/O callbacks of one event-loop turn together", async () => {
    const { queue, commits } = recordingQueue(true);
    expect(await threeCallbacks(queue)).toEqual([1, 2, 3]);
    expect(commits()).toBe(1);
  });

  it("without gatherWrites, starts a lone write at once (one commit per callback here)", async () => {
    const { queue, commits } = recordingQueue(false);
    expect(await threeCallbacks(queue)).toEqual([1, 2, 3]);
    expect(commits()).toBe(3);
  });

  it("still commits a lone write, and writes enqueued while a batch runs go in the next one", async () => {
    const { queue, commits } = recordingQueue();
    let inner: Promise<string> | undefined;
    const outer = await queue.write(async () => {
      inner = queue.write(async () => "second");
      return "first";
    });
    expect(outer).toBe("first");
    expect(await inner).toBe("second");
    expect(commits()).toBeLessThanOrEqual(2);
    await queue.idle();
  });
});
