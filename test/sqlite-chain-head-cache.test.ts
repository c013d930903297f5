import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { linkEvent } from "../src/engines/audit/chain-link.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import { sessionRecord } from "../src/testing/index.js";
import type { NewEvent } from "../src/types/event.js";

const dir = mkdtempSync(join(tmpdir(), "acp-sqlite-heads-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (i: number): NewEvent => ({
  sessionId: "s1",
  kind: "session_opened",
  payload: { i },
  at: 1000 + i,
});

const append = (storage: Storage, i: number) => storage.transaction((tx) => tx.events.append(event(i)));

/** Checks seqs 1..n and that every link follows from the one before. */
async function expectIntactChain(storage: Storage, count: number) {
  const { chain, head } = await storage.read(async (tx) => ({
    chain: await tx.events.chain("s1", { upToSeq: count, limit: 100 }),
    head: (await tx.events.chainHeads({ sessionId: "s1", limit: 1 }))[0],
  }));
  expect(chain.map((c) => c.event.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  let prev: string | null = null;
  for (const c of chain) {
    expect(c.chainHash).toBe(linkEvent(prev, c.event));
    prev = c.chainHash;
  }
  expect(head).toMatchObject({ lastSeq: count, link: prev });
}

describe("SQLite: the cached (last_seq, chain_head) of the write connection", () => {
  it("falls back when another process appended in between (stale cached head)", async () => {
    const path = join(dir, `two-${n++}.db`);
    const a = createSqliteStorage({ path });
    const b = createSqliteStorage({ path });
    await a.transaction((tx) => tx.sessions.insert(sessionRecord("s1")));
    await append(a, 1);
    await append(a, 2); // from A's cache
    await append(b, 3); // B appends behind A's back: A's entry is stale
    await append(a, 4); // refused guard, falls back
    await append(a, 5); // from the cache again
    await append(b, 6);
    await expectIntactChain(a, 6);
    await a.close();
    await b.close();
  });

  it("falls back when the head moved with an unchanged last_seq", async () => {
    const path = join(dir, `head-${n++}.db`);
    const a = createSqliteStorage({ path });
    await a.transaction((tx) => tx.sessions.insert(sessionRecord("s1")));
    await append(a, 1);
    // Rewrite the head behind the cache's back, keeping last_seq: the guard on chain_head must refuse.
    const db = new Database(path);
    const first = db.prepare("SELECT chain_hash FROM acp_events WHERE seq = 1").get() as {
      chain_hash: string;
    };
    db.prepare("UPDATE acp_sessions SET chain_head = ? WHERE id = 's1'").run("ab".repeat(32));
    await append(a, 2);
    const second = db.prepare("SELECT chain_hash FROM acp_events WHERE seq = 2").get() as {
      chain_hash: string;
    };
    expect(second.chain_hash).toBe(linkEvent("ab".repeat(32), event(2)));
    expect(second.chain_hash).not.toBe(linkEvent(first.chain_hash, event(2)));
    db.close();
    await a.close();
  });

  it("forgets an append that was rolled back", async () => {
    const a = createSqliteStorage({ path: join(dir, `rollback-${n++}.db`) });
    await a.transaction((tx) => tx.sessions.insert(sessionRecord("s1")));
    await append(a, 1);
    await expect(
      a.transaction(async (tx) => {
        await tx.events.append(event(2));
        throw new Error("undo");
      }),
    ).rejects.toThrow("undo");
    await append(a, 2);
    await append(a, 3);
    await expectIntactChain(a, 3);
    await a.close();
  });

  it("keeps the chain intact for appends batched in one group commit, one rolled back", async () => {
    const a = createSqliteStorage({ path: join(dir, `batch-${n++}.db`) });
    await a.transaction((tx) => tx.sessions.insert(sessionRecord("s1")));
    await append(a, 1);
    const results = await Promise.allSettled([
      append(a, 2),
      a.transaction(async (tx) => {
        await tx.events.append(event(99));
        throw new Error("undo");
      }),
      append(a, 3),
      append(a, 4),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    await expectIntactChain(a, 4);
    await a.close();
  });
});
