import { expect, it } from "vitest";
import type { EventRecord } from "../../types/event.js";
import { type ConformanceContext, range, seedSession, write } from "./fixtures.js";

/** The audit log: per-session seq, global feed and cursors. */
export function eventCases(ctx: ConformanceContext): void {
  it("append assigns gap-free per-session seq and a strictly increasing global id", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedSession(s, "s2");
    const appended: EventRecord[] = [];
    for (const i of range(6)) {
      const sessionId = i % 3 === 2 ? null : i % 2 === 0 ? "s1" : "s2";
      appended.push(
        await write(s, (tx) =>
          tx.events.append({
            sessionId,
            kind: "proposal_decided",
            agentId: "a1",
            proposalId: `p${i}`,
            payload: { i, nested: { ok: true } },
            at: 1000 + i,
          }),
        ),
      );
    }
    expect(appended.map((e) => e.seq)).toEqual([1, 1, null, 2, 2, null]);
    for (let i = 1; i < appended.length; i++) expect(appended[i]!.id).toBeGreaterThan(appended[i - 1]!.id);
    expect(appended[0]).toMatchObject({ agentId: "a1", proposalId: "p0", ticketId: null, at: 1000 });
    const s1 = await s.read((tx) => tx.events.list("s1", { limit: 10 }));
    expect(s1).toEqual(appended.filter((e) => e.sessionId === "s1"));
    expect(await s.read((tx) => tx.sessions.get("s1"))).toMatchObject({ lastSeq: 2 });
    expect((await s.read((tx) => tx.events.list("s1", { afterSeq: 1, limit: 1 }))).map((e) => e.seq)).toEqual(
      [2],
    );
    expect(await s.read((tx) => tx.events.list("s1", { afterSeq: 2, limit: 10 }))).toEqual([]);
    expect(await s.read((tx) => tx.events.list("nope", { limit: 10 }))).toEqual([]);
  });

  it("append to an unknown session rejects with not_found and writes nothing", async () => {
    const s = ctx.storage();
    await expect(
      write(s, (tx) => tx.events.append({ sessionId: "nope", kind: "session_opened", payload: {}, at: 1 })),
    ).rejects.toMatchObject({ code: "not_found" });
    expect(await s.read((tx) => tx.events.feed({ limit: 10 }))).toEqual([]);
  });

  it("feed is ordered by id, filters by session and resumes from a cursor without missing events", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedSession(s, "s2");
    for (const i of range(10)) {
      await write(s, (tx) =>
        tx.events.append({
          sessionId: i % 2 === 0 ? "s1" : "s2",
          kind: "proposal_decided",
          payload: { i },
          at: i,
        }),
      );
    }
    const all = await s.read((tx) => tx.events.feed({ limit: 100 }));
    expect(all.map((e) => e.payload.i)).toEqual(range(10));
    const seen: EventRecord[] = [];
    let cursor = 0;
    for (;;) {
      const page = await s.read((tx) => tx.events.feed({ afterId: cursor, limit: 3 }));
      if (page.length === 0) break;
      seen.push(...page);
      cursor = page[page.length - 1]!.id;
    }
    expect(seen).toEqual(all);
    const s2 = await s.read((tx) => tx.events.feed({ sessionId: "s2", limit: 100 }));
    expect(s2.map((e) => e.payload.i)).toEqual([1, 3, 5, 7, 9]);
    const after = await s.read((tx) => tx.events.feed({ sessionId: "s2", afterId: s2[1]!.id, limit: 2 }));
    expect(after.map((e) => e.payload.i)).toEqual([5, 7]);
  });
}
