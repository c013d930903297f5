import { expect, it } from "vitest";
import type { StorageTx } from "../../storage/storage.js";
import { type ConformanceContext, proposalRecord, seedSession, ticketRecord, write } from "./fixtures.js";

/** Tries to change a returned record in place (it may be frozen: then the attempt throws, which is fine). */
function tamper(target: unknown, change: (value: Record<string, unknown>) => void): void {
  try {
    change(target as Record<string, unknown>);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}

/** Returned records are copies: changing one in place never changes stored state or later reads. */
export function copyCases(ctx: ConformanceContext): void {
  it("mutating a written or read proposal, event, ticket, session or agent changes no later read", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    const args = { to: "acct-1", nested: { amount: 5 } };
    const input = proposalRecord("p1", "s1", {
      fingerprint: "f1",
      args,
      metadata: { tags: ["a"] },
      trace: [{ step: "policy", result: "ok" }],
    });
    await write(s, async (tx) => {
      await tx.proposals.insert(input);
      await tx.tickets.insert(ticketRecord("t1", "s1", "p1"));
      await tx.agents.upsert({
        id: "a1",
        name: "A",
        capabilities: ["x"],
        tags: ["t"],
        createdAt: 1,
        updatedAt: 1,
      });
      await tx.events.append({ sessionId: "s1", kind: "proposal_decided", payload: { list: [1] }, at: 1000 });
    });
    // The caller's own input objects, changed after the write, do not reach the store.
    tamper(args.nested, (v) => {
      v.amount = 999;
    });
    const reads = (tx: StorageTx) =>
      Promise.all([
        tx.proposals.get("p1"),
        tx.proposals.findByFingerprint("s1", "f1", [input.status]),
        tx.proposals.list({ limit: 10 }),
        tx.events.list("s1", { limit: 10 }),
        tx.events.feed({ limit: 10 }),
        tx.tickets.get("t1"),
        tx.sessions.get("s1"),
        tx.agents.get("a1"),
      ]);
    const snapshot = async () => JSON.parse(JSON.stringify(await s.read(reads)));
    const before = await snapshot();
    expect(before[0].args.nested.amount).toBe(5);
    // Twice: the first read may come from a cache filled by the write, the second by the first read.
    for (let round = 0; round < 2; round++) {
      for (const rows of [await s.read(reads), await write(s, reads)]) {
        const [p, byPrint, list, events, feed, ticket, session, agent] = rows;
        for (const proposal of [p, byPrint, list[0]]) {
          tamper(proposal, (v) => {
            v.status = "succeeded";
          });
          tamper(proposal?.args, (v) => {
            v.to = "attacker";
          });
          tamper(proposal?.args.nested, (v) => {
            v.amount = 10_000;
          });
          tamper(proposal?.metadata.tags, (v) => {
            (v as unknown as string[]).push("b");
          });
          tamper(proposal?.trace[0], (v) => {
            v.result = "changed";
          });
        }
        for (const event of [events[0], feed[0]]) {
          tamper(event, (v) => {
            v.kind = "session_aborted";
          });
          tamper(event?.payload, (v) => {
            v.list = [];
          });
        }
        tamper(ticket, (v) => {
          v.status = "approved";
        });
        tamper(session, (v) => {
          v.usedCost = 1;
        });
        tamper(agent?.capabilities, (v) => {
          (v as unknown as string[]).push("*");
        });
      }
      expect(await snapshot()).toEqual(before);
    }
  });
}
