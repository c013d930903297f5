/**
 * The memory adapter keeps each session's chain head, links and events together and undoes an append in one step:
 * the head it holds must be the one `verifyAudit` recomputes, and a rolled-back or failed append must leave no trace.
 */
import { describe, expect, it } from "vitest";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import { linkEvent } from "../src/engines/audit/chain-link.js";
import { createMemoryStorage } from "../src/storage/memory/index.js";
import type { Storage } from "../src/storage/storage.js";

const POLICY = { version: 1, actions: { autoApprove: ["write_file"] } } as const;

/** The session's head recomputed from its events, as the verifier does. */
async function recomputedHead(storage: Storage, sessionId: string): Promise<string | null> {
  const events = await storage.read((tx) => tx.events.list(sessionId, { limit: 10_000 }));
  let link: string | null = null;
  for (const e of events) link = linkEvent(link, e);
  return link;
}

const stored = (storage: Storage, sessionId: string) =>
  storage.read(async (tx) => ({
    head: (await tx.events.chainHeads({ sessionId, limit: 1 }))[0],
    chain: await tx.events.chain(sessionId, { upToSeq: 10_000, limit: 10_000 }),
    feed: await tx.events.feed({ limit: 10_000 }),
  }));

describe("memory audit chain", () => {
  it("holds the head that verifyAudit recomputes, after every governed action", async () => {
    const storage = createMemoryStorage();
    const cp = await createControlPlane({ storage, policy: POLICY });
    const session = await cp.openSession({ name: "chained" });
    for (let i = 0; i < 5; i++) {
      const d = await cp.propose({
        sessionId: session.id,
        action: "write_file",
        resourceId: `r${i}`,
        cost: "0.01",
      });
      if (d.outcome !== "allowed") throw new Error(d.outcome);
      await cp.complete(d.proposalId, { ok: true });
      const { head, chain } = await stored(storage, session.id);
      expect(head?.link).toBe(await recomputedHead(storage, session.id));
      expect(head?.link).toBe(chain.at(-1)?.chainHash);
      expect(head?.lastSeq).toBe(chain.length);
    }
    expect((await cp.verifyAudit({ sessionId: session.id })).ok).toBe(true);
    await cp.close();
  });

  it("undoes a rolled-back append and one that fails on a payload JSON cannot hold, leaving no gap", async () => {
    const storage = createMemoryStorage();
    const cp = await createControlPlane({ storage, policy: POLICY });
    const session = await cp.openSession({ name: "s" });
    const before = await stored(storage, session.id);
    const append = (kind: "cycle_started" | "cycle_released", payload: Record<string, unknown>) => ({
      sessionId: session.id,
      kind,
      payload: payload as never,
      at: 1,
    });
    await expect(
      storage.transaction(async (tx) => {
        await tx.events.append(append("cycle_started", { n: 1 }));
        await tx.events.append({ ...append("cycle_started", { n: 2 }), sessionId: null });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await stored(storage, session.id)).toEqual(before);

    // The failing append is caught inside the transaction, which then commits another one.
    await storage.transaction(async (tx) => {
      await expect(tx.events.append(append("cycle_started", { n: Number.NaN }))).rejects.toThrow(/NaN/);
      await tx.events.append(append("cycle_released", { n: 3 }));
    });
    const after = await stored(storage, session.id);
    expect(after.feed.map((e) => e.id)).toEqual([...before.feed.map((e) => e.id), before.feed.length + 1]);
    expect(after.chain.map((c) => c.event.seq)).toEqual([
      ...before.chain.map((c) => c.event.seq),
      before.head!.lastSeq + 1,
    ]);
    expect(after.head?.link).toBe(await recomputedHead(storage, session.id));
    expect((await cp.verifyAudit({ sessionId: session.id })).ok).toBe(true);
    await cp.close();
  });
});
