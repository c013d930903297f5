/**
 * The approvals inbox, the ticket page and the approve / deny forms, in-process (no browser): what is listed
 * and in which order, what each role sees, what each form does through the facade, and how refusals read.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import type { TicketView } from "../../src/control-plane/views.js";
import { INBOX_CARDS } from "../../src/dashboard/pages/approvals.js";
import { listPendingOldestFirst } from "../../src/dashboard/pages/ticket-card.js";
import { TOKENS } from "../support/http-server.js";
import { startUi, ticketIdsIn, type UiApp, uiSignIn } from "./approvals-support.js";

describe("approvals inbox and ticket page", () => {
  let ui: UiApp;
  beforeEach(async () => {
    ui = await startUi({
      extraTokens: [{ token: "self-token-0123456789", role: "approver", name: "agent-a" }],
    });
  });
  afterEach(async () => {
    await ui.close();
  });

  /** Opens a session of agent-a and proposes `action` in it; returns the ticket id. */
  async function pendingTicket(action = "deploy", resourceId = "svc", cost = "0.5") {
    const session = await ui.cp.openSession({ name: `s-${action}`, agentId: "agent-a" });
    const d = await ui.cp.propose({ sessionId: session.id, agentId: "agent-a", action, resourceId, cost });
    expect(d.outcome).toBe("pending_approval");
    return { sessionId: session.id, ticketId: (d as { ticketId: string }).ticketId };
  }

  it("shows at most INBOX_CARDS cards, the oldest, and counts every pending ticket", async () => {
    const session = await ui.cp.openSession({ name: "backlog", agentId: "agent-a" });
    const ids: string[] = [];
    for (let i = 0; i < INBOX_CARDS + 5; i++) {
      ui.clock.advance(1000);
      const d = await ui.cp.propose({
        sessionId: session.id,
        agentId: "agent-a",
        action: "deploy",
        resourceId: `svc-${i}`,
      });
      ids.push((d as { ticketId: string }).ticketId);
    }
    const page = await (await uiSignIn(ui.handle, TOKENS.approver)).get("/");
    expect(ticketIdsIn(page.text)).toEqual(ids.slice(0, INBOX_CARDS));
    expect(page.text).toContain(`<strong id="pending-count">${INBOX_CARDS + 5}</strong>`);
    expect(page.text).toContain(`showing the ${INBOX_CARDS} oldest`);
  });

  it("lists pending tickets across sessions oldest first, with every field, the trace and the count", async () => {
    const first = await pendingTicket("deploy", "svc", "1.25");
    ui.clock.advance(60_000);
    const second = await pendingTicket("send_payment", "acct-9", "42");
    ui.clock.advance(60_000);
    const decided = await pendingTicket("deploy", "other");
    await ui.cp.deny(decided.ticketId, { decidedBy: "alice", reason: "no" });
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    const page = await alice.get("/");
    expect(page.status).toBe(200);
    expect(ticketIdsIn(page.text)).toEqual([first.ticketId, second.ticketId]);
    expect(page.text).toContain('<strong id="pending-count">2</strong>');
    for (const text of ["deploy", "svc", "1.25", "send_payment", "acct-9", "42", "agent-a"]) {
      expect(page.text).toContain(text);
    }
    expect(page.text).toContain(`href="/sessions/${first.sessionId}"`);
    expect(page.text).toContain("requires human approval");
    expect(page.text).toMatch(/\(14 min left\)|\(13 min left\)/); // 15 min timeout, 1–2 min old
    expect(page.text).toMatch(
      /<details class="trace"><summary>Decision trace \(\d+ steps\)<\/summary><ol class="trace"><li>/,
    );
    expect(page.text.match(/>Approve once</g)?.length).toBe(2);
    expect(page.text).toContain('hx-trigger="sse:approval_requested, sse:approval_granted');
  });

  it("shows a clear empty state and a fragment without the layout", async () => {
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    const fragment = await alice.get("/fragments/inbox", { "hx-request": "true" });
    expect(fragment.status).toBe(200);
    expect(fragment.text.startsWith('<p class="pending-count">')).toBe(true);
    expect((await alice.get("/")).text).toContain('<div id="inbox" hx-get="/fragments/inbox"');
    expect(fragment.text).not.toContain("<html");
    expect(fragment.text).toContain("No pending approvals");
    expect(fragment.text).toContain('<strong id="pending-count">0</strong>');
  });

  it("approve once: the decider is the signed-in person, the agent's retry runs, the ticket page shows it", async () => {
    const { sessionId, ticketId } = await pendingTicket();
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    const res = await alice.post(`/tickets/${ticketId}/approve`, { scope: "once", return: "inbox" });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/\?notice=Approved%20deploy%20on%20svc%20\(once\)/);
    const ticket = await ui.cp.getTicket(ticketId);
    expect(ticket).toMatchObject({ status: "approved", decidedBy: "alice", scope: { kind: "once" } });
    const retry = await ui.cp.propose({
      sessionId,
      agentId: "agent-a",
      action: "deploy",
      resourceId: "svc",
      cost: "0.5",
    });
    expect(retry.outcome).toBe("allowed");
    expect(ticketIdsIn((await alice.get("/")).text)).toEqual([]);
    const shown = await alice.get(`/tickets/${ticketId}`);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain("Decided by</th><td>alice");
    expect(shown.text).toContain("this proposal only (once)");
    expect(shown.text).not.toContain(">Approve once<");
    const live = await alice.get(`/fragments/tickets/${ticketId}`, { "hx-request": "true" });
    expect(shown.text).toMatch(
      new RegExp(
        `<div id="ticket" hx-get="/fragments/tickets/${ticketId}" hx-trigger="[^"]*sse:approval_granted[^"]*" hx-swap="innerHTML">`,
      ),
    );
    expect(live.text).not.toContain('id="ticket"');
    expect(live.text).toContain("Decided by</th><td>alice");
  });

  it("approve for the session with a scope: a later identical action runs without a new ticket, others still ask", async () => {
    const { sessionId, ticketId } = await pendingTicket("deploy", "svc", "1");
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    const res = await alice.post(`/tickets/${ticketId}/approve`, {
      scope: "session",
      return: "ticket",
      "scope.actions": "deploy",
      "scope.resourceIds": "svc, svc-2",
      "scope.maxCostPerAction": "2.5",
      "scope.maxUses": "3",
      "scope.ttlMinutes": "60",
      reason: "release night",
    });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(
      new RegExp(`^/tickets/${ticketId}\\?notice=Approved%20deploy%20on%20svc%20\\(for%20the%20session\\)`),
    );
    const ticket = await ui.cp.getTicket(ticketId);
    expect(ticket.scope).toMatchObject({
      kind: "session",
      actions: ["deploy"],
      resourceIds: ["svc", "svc-2"],
      maxCostPerAction: "2.5",
      maxUses: 3,
      expiresAt: ui.clock.now() + 3_600_000,
    });
    expect(ticket.reason).toBe("release night");
    const propose = (resourceId: string, cost: string) =>
      ui.cp.propose({ sessionId, agentId: "agent-a", action: "deploy", resourceId, cost, args: { n: cost } });
    const later = await propose("svc-2", "2");
    expect(later.outcome).toBe("allowed");
    expect((later as { ticketId?: string | null }).ticketId ?? null).toBeNull();
    expect(await ui.cp.listTickets({ sessionId, statuses: ["pending"] })).toHaveLength(0);
    await ui.cp.complete(later.proposalId, { ok: true });
    const overCost = await propose("svc-2", "3");
    expect([overCost.outcome, overCost.reason]).toEqual(["pending_approval", expect.any(String)]);
    expect((await propose("db", "1")).outcome).toBe("pending_approval"); // another resource
    const page = await alice.get(`/tickets/${ticketId}`);
    expect(page.text).toContain("resources: svc, svc-2");
    expect(page.text).toContain("max cost per action: 2.5");
  });

  it("deny needs a reason: without one the error names `reason` and nothing changes; with one it is recorded", async () => {
    const { ticketId } = await pendingTicket();
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    const refused = await alice.post(`/tickets/${ticketId}/deny`, { reason: "  " });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain("<code>reason</code>: give a reason for denying");
    expect(refused.headers.get("hx-push-url")).toBe(`/tickets/${ticketId}`);
    expect((await ui.cp.getTicket(ticketId)).status).toBe("pending");
    const denied = await alice.post(`/tickets/${ticketId}/deny`, {
      reason: "wrong customer",
      return: "inbox",
    });
    expect(denied.status).toBe(303);
    expect(await ui.cp.getTicket(ticketId)).toMatchObject({
      status: "denied",
      decidedBy: "alice",
      reason: "wrong customer",
    });
  });

  it("names the bad scope field, refuses an already-decided ticket (409) and self-approval (403)", async () => {
    const { ticketId } = await pendingTicket();
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    const badUses = await alice.post(`/tickets/${ticketId}/approve`, {
      scope: "session",
      "scope.maxUses": "two",
    });
    expect(badUses.status).toBe(422);
    expect(badUses.text).toContain("<code>scope.maxUses</code>: expected a positive integer");
    // The refused form comes back open, filled in as posted, the bad field marked.
    expect(badUses.text).toContain('<details class="session-scope" open="">');
    expect(badUses.text).toMatch(/name="scope\.maxUses" value="two" aria-invalid="true"/);
    await expect(alice.get(`/tickets/${ticketId}`)).resolves.toMatchObject({
      text: expect.not.stringContaining('<details class="session-scope" open'),
    });
    const badTtl = await alice.post(`/tickets/${ticketId}/approve`, {
      scope: "session",
      "scope.ttlMinutes": "-5",
    });
    expect(badTtl.status).toBe(422);
    expect(badTtl.text).toContain("<code>scope.ttlMinutes</code>");
    const badCost = await alice.post(`/tickets/${ticketId}/approve`, {
      scope: "session",
      "scope.maxCostPerAction": "lots",
    });
    expect(badCost.status).toBe(422);
    expect(badCost.text).toContain("<code>scope.maxCostPerAction</code>");
    expect((await ui.cp.getTicket(ticketId)).status).toBe("pending");

    const self = await uiSignIn(ui.handle, "self-token-0123456789");
    const selfApproval = await self.post(`/tickets/${ticketId}/approve`, { scope: "once" });
    expect(selfApproval.status).toBe(403);
    expect(selfApproval.text).toContain("you may not decide a request you are a party to");
    expect((await ui.cp.getTicket(ticketId)).status).toBe("pending");

    expect((await alice.post(`/tickets/${ticketId}/approve`, { scope: "once" })).status).toBe(303);
    const again = await alice.post(`/tickets/${ticketId}/deny`, { reason: "too late" });
    expect(again.status).toBe(409);
    expect(again.text).toContain("already decided");
    expect(again.text).toContain("is already approved");
    expect((await ui.cp.getTicket(ticketId)).status).toBe("approved");
  });

  it("a viewer sees the tickets without any form, and its forged posts answer 403 and change nothing", async () => {
    const { ticketId } = await pendingTicket();
    const victor = await uiSignIn(ui.handle, TOKENS.viewer);
    const page = await victor.get("/");
    expect(ticketIdsIn(page.text)).toEqual([ticketId]);
    expect(page.text).not.toContain("Approve once");
    expect(page.text).not.toContain(`action="/tickets/${ticketId}/deny"`);
    expect((await victor.get(`/tickets/${ticketId}`)).text).not.toContain("Approve for the session");
    const forged = await victor.post(`/tickets/${ticketId}/approve`, { scope: "once" });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain("tickets.decide");
    expect((await victor.post(`/tickets/${ticketId}/deny`, { reason: "x" })).status).toBe(403);
    expect((await ui.cp.getTicket(ticketId)).status).toBe("pending");
  });

  it("an unknown ticket is a 404 page", async () => {
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    const res = await alice.get("/tickets/no-such-ticket");
    expect(res.status).toBe(404);
    expect(res.text).toContain("not found");
    expect((await alice.post("/tickets/no-such-ticket/approve", { scope: "once" })).status).toBe(404);
  });
});

describe("listPendingOldestFirst", () => {
  it("pages through every pending ticket (more than one page) and returns them oldest first", async () => {
    const all = Array.from({ length: 2345 }, (_, i) => ({ id: `t${i}`, createdAt: 1000 + i }) as TicketView);
    const newestFirst = [...all].reverse();
    const calls: { limit?: number; offset?: number }[] = [];
    const cp = {
      async listTickets(q: { statuses?: string[]; limit?: number; offset?: number }) {
        expect(q.statuses).toEqual(["pending"]);
        calls.push(q);
        const offset = q.offset ?? 0;
        return newestFirst.slice(offset, offset + (q.limit ?? 100));
      },
    } as unknown as ControlPlane;
    const listed = await listPendingOldestFirst(cp);
    expect(listed.map((t) => t.id)).toEqual(all.map((t) => t.id));
    expect(calls.length).toBe(3);
  });
});
