import { expect, it } from "vitest";
import {
  approveWithScope,
  type ConformanceContext,
  range,
  seedSession,
  seedTicket,
  sessionScope,
  ticketRecord,
  write,
} from "./fixtures.js";

const req: {
  readonly sessionId: string;
  readonly action: string;
  readonly resourceId: string | null;
  readonly cost: number;
  readonly now: number;
} = { sessionId: "s1", action: "files.read", resourceId: "r1", cost: 100, now: 3000 };

/** Tickets: decide-at-most-once, kill-switch denial, allow-for-session scopes, lists. */
export function ticketCases(ctx: ConformanceContext): void {
  it("inserts, reads back, and refuses a duplicate id", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedTicket(s, "t1", "s1");
    const t = await s.read((tx) => tx.tickets.get("t1"));
    expect(t).toEqual(ticketRecord("t1", "s1", "p-t1"));
    await expect(write(s, (tx) => tx.tickets.insert(ticketRecord("t1", "s1", "p-t1")))).rejects.toMatchObject(
      {
        code: "conflict",
      },
    );
    expect(await s.read((tx) => tx.tickets.get("nope"))).toBeUndefined();
  });

  it("keeps the ticket's request (what the approver decides on) unchanged through every write and read", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    const request = { ...ticketRecord("t1", "s1", "p-t1").request, agentId: null, resourceType: null };
    await seedTicket(s, "t1", "s1", { request });
    await seedTicket(s, "t2", "s1", { request, deadlineAt: 100 });
    await seedTicket(s, "t3", "s1", { request });
    const decided = await approveWithScope(s, "t1", sessionScope({ remaining: 2 }));
    const escalated = await write(s, (tx) => tx.tickets.escalate("t2", 0, 9000));
    const consumed = await write(s, (tx) => tx.tickets.consumeScope(req));
    const denied = await write(s, (tx) => tx.tickets.denyPendingWhere({ all: true }, "kill", "halt", 4000));
    const listed = await s.read((tx) => tx.tickets.list({ limit: 10 }));
    const due = await s.read((tx) => tx.tickets.listDue(10_000, 10));
    for (const t of [decided, escalated, consumed, ...denied, ...listed]) expect(t?.request).toEqual(request);
    expect(due).toEqual([]);
    expect(listed).toHaveLength(3);
  });

  it("decides a ticket at most once", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedTicket(s, "t1", "s1");
    const scope = sessionScope({ actions: ["a"], remaining: 2 });
    const d = await write(s, (tx) =>
      tx.tickets.decide("t1", {
        status: "approved",
        decidedBy: "alice",
        reason: "ok",
        scope,
        decidedAt: 2000,
      }),
    );
    expect(d).toMatchObject({ status: "approved", decidedBy: "alice", reason: "ok", scope, decidedAt: 2000 });
    const again = await write(s, (tx) =>
      tx.tickets.decide("t1", {
        status: "denied",
        decidedBy: "bob",
        reason: "no",
        scope: null,
        decidedAt: 3000,
      }),
    );
    expect(again).toBeUndefined();
    expect(await s.read((tx) => tx.tickets.get("t1"))).toMatchObject({
      status: "approved",
      decidedBy: "alice",
    });
    expect(
      await write(s, (tx) =>
        tx.tickets.decide("nope", {
          status: "denied",
          decidedBy: "x",
          reason: null,
          scope: null,
          decidedAt: 1,
        }),
      ),
    ).toBeUndefined();
  });

  it("escalates a pending ticket one step at a time, at most once per step", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedTicket(s, "t1", "s1");
    const before = await s.read((tx) => tx.tickets.get("t1"));
    const up = await write(s, (tx) => tx.tickets.escalate("t1", 0, 50_000));
    expect(up).toEqual({ ...before, escalationLevel: 1, deadlineAt: 50_000 });
    expect(await write(s, (tx) => tx.tickets.escalate("t1", 0, 60_000))).toBeUndefined();
    expect(await write(s, (tx) => tx.tickets.escalate("t1", 1, 70_000))).toMatchObject({
      escalationLevel: 2,
      deadlineAt: 70_000,
    });
    await write(s, (tx) =>
      tx.tickets.decide("t1", {
        status: "expired",
        decidedBy: null,
        reason: null,
        scope: null,
        decidedAt: 1,
      }),
    );
    expect(await write(s, (tx) => tx.tickets.escalate("t1", 2, 80_000))).toBeUndefined();
    expect(await write(s, (tx) => tx.tickets.escalate("missing", 0, 80_000))).toBeUndefined();
  });

  it("denyPendingWhere by session denies only that session's pending tickets", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedSession(s, "s2");
    await seedTicket(s, "t1", "s1");
    await seedTicket(s, "t2", "s1");
    await seedTicket(s, "t3", "s2");
    await seedTicket(s, "t4", "s1");
    await approveWithScope(s, "t4", null);
    const denied = await write(s, (tx) =>
      tx.tickets.denyPendingWhere({ sessionId: "s1" }, "kill", "halt", 3000),
    );
    expect(denied.map((t) => t.id).sort()).toEqual(["t1", "t2"]);
    expect(denied[0]).toMatchObject({ status: "denied", decidedBy: "kill", reason: "halt", decidedAt: 3000 });
    const statuses = await s.read(async (tx) =>
      Promise.all(["t1", "t2", "t3", "t4"].map(async (id) => (await tx.tickets.get(id))?.status)),
    );
    expect(statuses).toEqual(["denied", "denied", "pending", "approved"]);
    expect(await write(s, (tx) => tx.tickets.denyPendingWhere({}, "kill", "none", 3000))).toEqual([]);
  });

  it("denyPendingWhere by agent covers the proposal's agent and the session owner, nothing else", async () => {
    const s = ctx.storage();
    await seedSession(s, "owned", { agentId: "a1" });
    await seedSession(s, "other", { agentId: "a2" });
    await seedTicket(s, "by-owner-session", "owned", {}, { agentId: null });
    await seedTicket(s, "by-proposal", "other", {}, { agentId: "a1" });
    await seedTicket(s, "unrelated", "other", {}, { agentId: "a2" });
    const denied = await write(s, (tx) =>
      tx.tickets.denyPendingWhere({ agentId: "a1" }, "kill", "agent", 3000),
    );
    expect(denied.map((t) => t.id).sort()).toEqual(["by-owner-session", "by-proposal"]);
    expect(await s.read((tx) => tx.tickets.get("unrelated"))).toMatchObject({ status: "pending" });
  });

  it("denyPendingWhere all denies every pending ticket of more than 50 sessions", async () => {
    const s = ctx.storage();
    for (const i of range(55)) {
      await seedSession(s, `s${i}`);
      await seedTicket(s, `t${i}`, `s${i}`);
    }
    const denied = await write(s, (tx) => tx.tickets.denyPendingWhere({ all: true }, "kill", "global", 3000));
    expect(denied).toHaveLength(55);
    expect(await s.read((tx) => tx.tickets.countPending())).toBe(0);
  });

  it("consumeScope matches each predicate of an allow-for-session scope", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedSession(s, "s2");
    const consume = (q: Partial<typeof req> = {}) =>
      write(s, (tx) => tx.tickets.consumeScope({ ...req, ...q }));
    expect(await consume()).toBeUndefined();
    await seedTicket(s, "once", "s1");
    await approveWithScope(s, "once", { ...sessionScope(), kind: "once" });
    expect(await consume()).toBeUndefined();
    await seedTicket(s, "pending", "s1");
    await write(s, (tx) =>
      tx.tickets.insert(ticketRecord("pending-scoped", "s1", "p-pending", { scope: sessionScope() })),
    );
    expect(await consume()).toBeUndefined();
    await seedTicket(s, "t", "s1");
    await approveWithScope(
      s,
      "t",
      sessionScope({
        actions: ["files.read", "files.list"],
        resourceIds: ["r1", "r2"],
        maxCostPerAction: 100,
        expiresAt: 3001,
      }),
    );
    expect(await consume()).toMatchObject({ id: "t" });
    expect(await consume({ action: "files.list", resourceId: "r2" })).toMatchObject({ id: "t" });
    expect(await consume({ action: "files.write" })).toBeUndefined();
    expect(await consume({ resourceId: "r3" })).toBeUndefined();
    expect(await consume({ resourceId: null })).toBeUndefined();
    expect(await consume({ cost: 101 })).toBeUndefined();
    expect(await consume({ cost: 0 })).toMatchObject({ id: "t" });
    expect(await consume({ now: 3001 })).toBeUndefined();
    expect(await consume({ now: 3000 })).toMatchObject({ id: "t" });
    expect(await consume({ sessionId: "s2" })).toBeUndefined();
    // Unlimited scope: not decremented, no remaining field to count.
    expect((await s.read((tx) => tx.tickets.get("t")))?.scope?.remaining).toBeNull();
  });

  it("consumeScope counts remaining down to 0 and then refuses; null lists accept anything", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedTicket(s, "t", "s1");
    await approveWithScope(s, "t", sessionScope({ remaining: 2 }));
    const consume = (q: Partial<typeof req> = {}) =>
      write(s, (tx) => tx.tickets.consumeScope({ ...req, ...q }));
    expect((await consume({ action: "anything", resourceId: null, cost: 10 ** 12 }))?.scope?.remaining).toBe(
      1,
    );
    expect((await consume())?.scope?.remaining).toBe(0);
    expect(await consume()).toBeUndefined();
    expect((await s.read((tx) => tx.tickets.get("t")))?.scope?.remaining).toBe(0);
  });

  it("consumeScope takes the oldest covering ticket first", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedTicket(s, "newer", "s1", { createdAt: 1500 });
    await seedTicket(s, "older", "s1", { createdAt: 1100 });
    await approveWithScope(s, "newer", sessionScope({ remaining: 5 }));
    await approveWithScope(s, "older", sessionScope({ remaining: 1 }));
    expect(await write(s, (tx) => tx.tickets.consumeScope(req))).toMatchObject({ id: "older" });
    expect(await write(s, (tx) => tx.tickets.consumeScope(req))).toMatchObject({ id: "newer" });
  });

  it("list is newest first with filters; listDue gives due pending tickets by deadline; countPending", async () => {
    const s = ctx.storage();
    await seedSession(s, "s1");
    await seedSession(s, "s2");
    await seedTicket(s, "a", "s1", { createdAt: 1001, deadlineAt: 4000 });
    await seedTicket(s, "b", "s1", { createdAt: 1002, deadlineAt: 3000 });
    await seedTicket(s, "c", "s2", { createdAt: 1003, deadlineAt: 3500 });
    await seedTicket(s, "d", "s1", { createdAt: 1004, deadlineAt: 1000 });
    await approveWithScope(s, "d", null);
    const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);
    expect(ids(await s.read((tx) => tx.tickets.list({ limit: 10 })))).toEqual(["d", "c", "b", "a"]);
    expect(
      ids(await s.read((tx) => tx.tickets.list({ sessionId: "s1", statuses: ["pending"], limit: 10 }))),
    ).toEqual(["b", "a"]);
    expect(ids(await s.read((tx) => tx.tickets.list({ limit: 2, offset: 1 })))).toEqual(["c", "b"]);
    expect(ids(await s.read((tx) => tx.tickets.listDue(3500, 10)))).toEqual(["b", "c"]);
    expect(ids(await s.read((tx) => tx.tickets.listDue(4000, 1)))).toEqual(["b"]);
    expect(await s.read((tx) => tx.tickets.listDue(2999, 10))).toEqual([]);
    expect(await s.read((tx) => tx.tickets.countPending())).toBe(3);
  });
}
