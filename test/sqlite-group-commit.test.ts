import { describe, expect, it } from "vitest";
import type { SqlConnection } from "../src/storage/sqlite/driver.js";
import { GroupCommitQueue } from "../src/storage/sqlite/group-commit.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { SqliteStores } from "../src/storage/sqlite/sqlite-tx.js";
import { sessionRecord } from "../src/testing/index.js";

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
  return { queue, statements, commits: () => statements.filter((s) => s === "COMMIT").length };
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

  it("a write that is a few promise turns away when a batch is about to commit joins it (one commit)", async () => {
    const { queue, statements, commits } = recordingQueue(false);
    // The caller's next write is queued 8 promise turns after its first one finished (as an in-process MCP
    // client's next call is, once the gateway answered): it shares the first one's durable commit.
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await undefined;
    };
    let second: Promise<string> | undefined;
    const first = queue.write(async () => {
      void turns(8).then(() => {
        second = queue.write(async () => "second");
      });
      return "first";
    });
    expect(await first).toBe("first");
    expect(await second).toBe("second");
    expect(commits()).toBe(1);
    expect(statements).toEqual(["BEGIN IMMEDIATE", "SAVEPOINT acp_tx", "RELEASE acp_tx", "COMMIT"]);
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

  it("runs the first transaction of a batch without a savepoint, the later ones in one each", async () => {
    const { queue, statements } = recordingQueue();
    expect(await Promise.all([queue.write(async () => 1), queue.write(async () => 2)])).toEqual([1, 2]);
    expect(statements).toEqual(["BEGIN IMMEDIATE", "SAVEPOINT acp_tx", "RELEASE acp_tx", "COMMIT"]);
  });

  it("when the first transaction of a batch fails, rolls it back and begins anew for the rest", async () => {
    const { queue, statements } = recordingQueue();
    const first = queue.write(async () => {
      throw new Error("first fails");
    });
    const second = queue.write(async () => "second");
    await expect(first).rejects.toThrow("first fails");
    expect(await second).toBe("second");
    expect(statements).toEqual(["BEGIN IMMEDIATE", "ROLLBACK", "BEGIN IMMEDIATE", "COMMIT"]);
  });

  it("a failing first transaction writes nothing and does not affect the second (real database)", async () => {
    const storage = createSqliteStorage({ path: ":memory:" });
    const failing = storage.transaction(async (tx) => {
      await tx.sessions.insert(sessionRecord("s-failed"));
      throw new Error("refused");
    });
    const kept = storage.transaction((tx) => tx.sessions.insert(sessionRecord("s-kept")));
    const third = storage.transaction((tx) => tx.sessions.insert(sessionRecord("s-third")));
    await expect(failing).rejects.toThrow("refused");
    await kept;
    await third;
    const found = await storage.read(async (tx) => [
      await tx.sessions.get("s-failed"),
      await tx.sessions.get("s-kept"),
      await tx.sessions.get("s-third"),
    ]);
    expect(found.map((s) => s?.id)).toEqual([undefined, "s-kept", "s-third"]);
    await storage.close();
  });
});
