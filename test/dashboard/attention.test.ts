/**
 * The Attention page in-process: proposals in `outcome_unknown`, pending tickets close to their deadline (or
 * escalated), open sessions with an exhausted budget — each listed with a link to its page, nothing else.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { TOKENS } from "../support/http-server.js";
import { startUi, type UiApp, uiSignIn } from "./approvals-support.js";

/** The rows of the table after the heading `id`, up to the next section. */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  expect(start).toBeGreaterThan(-1);
  const end = html.indexOf("<section", start);
  return html.slice(start, end === -1 ? undefined : end);
}

describe("attention page", () => {
  let ui: UiApp;
  beforeEach(async () => {
    ui = await startUi({ policy: { ...TEST_POLICY, approvals: { timeout: "1h" } }, lockTtlMs: 60_000 });
  });
  afterEach(async () => {
    await ui.close();
  });

  it("shows an empty state for each list when nothing needs attention", async () => {
    const victor = await uiSignIn(ui.handle, TOKENS.viewer);
    const page = await victor.get("/attention");
    expect(page.status).toBe(200);
    expect(page.text).toContain('<strong id="attention-count">0</strong>');
    expect(page.text).toContain("No proposals with an unknown outcome.");
    expect(page.text).toContain("No approvals close to their deadline.");
    expect(page.text).toContain("No open session has used up its budget.");
    // The page's live region reloads its content (the region stays, so a trigger during a reload is queued).
    expect(page.text).toMatch(
      /<div id="attention" hx-get="\/fragments\/attention" hx-trigger="[^"]*sse:outcome_unknown[^"]*" hx-swap="innerHTML">/,
    );
    const fragment = await victor.get("/fragments/attention");
    expect(fragment.text.startsWith('<p class="pending-count">')).toBe(true);
    expect(fragment.text).not.toContain('id="attention"');
  });

  it("lists unknown outcomes, tickets due within 15 minutes and exhausted budgets, each linking to its page", async () => {
    const cp = ui.cp;
    const waiting = await cp.openSession({ name: "waiting", agentId: "agent-a" });
    const ticket = await cp.propose({ sessionId: waiting.id, action: "deploy", resourceId: "svc" });
    const later = await cp.openSession({ name: "later", agentId: "agent-a" });
    const tid = (ticket as { ticketId: string }).ticketId;

    const spent = await cp.openSession({ name: "spent", agentId: "agent-b", budget: { maxActions: 1 } });
    const ran = await cp.propose({ sessionId: spent.id, action: "read_file", resourceId: "a.txt" });
    await cp.complete(ran.proposalId, { ok: true });
    const roomy = await cp.openSession({ name: "roomy", agentId: "agent-b", budget: { maxActions: 5 } });
    const fine = await cp.propose({ sessionId: roomy.id, action: "read_file", resourceId: "b.txt" });
    await cp.complete(fine.proposalId, { ok: true });

    const lost = await cp.openSession({ name: "lost", agentId: "agent-c" });
    const gone = await cp.propose({ sessionId: lost.id, action: "write_file", resourceId: "c.txt" });
    expect(gone.outcome).toBe("allowed");

    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    let page = await alice.get("/attention");
    expect(section(page.text, "att-expiring")).toContain("No approvals close to their deadline.");
    expect(section(page.text, "att-unknown")).toContain("No proposals with an unknown outcome.");

    ui.clock.advance(50 * 60_000); // the ticket is now 10 min from its deadline; the lease has lapsed
    await cp.recover();
    const fresh = await cp.propose({ sessionId: later.id, action: "deploy", resourceId: "svc-2" });
    expect(fresh.outcome).toBe("pending_approval");
    page = await alice.get("/attention");
    expect(page.text).toContain('<strong id="attention-count">3</strong>');

    const unknown = section(page.text, "att-unknown");
    expect(unknown).toContain("write_file");
    expect(unknown).toContain(`href="/sessions/${lost.id}"`);
    expect(unknown).toContain("outcome unknown");

    const expiring = section(page.text, "att-expiring");
    expect(expiring).toContain(`href="/tickets/${tid}"`);
    expect(expiring).toContain("(10 min left)");
    expect(expiring).not.toContain((fresh as { ticketId: string }).ticketId); // an hour left

    const budgets = section(page.text, "att-budget");
    expect(budgets).toContain(`href="/sessions/${spent.id}"`);
    expect(budgets).toContain(">spent</a>");
    expect(budgets).not.toContain(roomy.id);
    expect(budgets).toContain("1 of 1");
  });

  it("lists an escalated ticket whatever its new deadline, marked as escalated here and in the inbox", async () => {
    await ui.close();
    ui = await startUi({
      policy: {
        ...TEST_POLICY,
        approvals: {
          timeout: "10m",
          onTimeout: "escalate",
          escalation: [{ to: "ops-leads", timeout: "2h" }],
        },
      },
    });
    const session = await ui.cp.openSession({ agentId: "agent-a" });
    const d = await ui.cp.propose({ sessionId: session.id, action: "deploy", resourceId: "svc" });
    const id = (d as { ticketId: string }).ticketId;
    ui.clock.advance(11 * 60_000);
    await ui.cp.expireTickets();
    const ticket = await ui.cp.getTicket(id);
    expect(ticket).toMatchObject({ status: "pending", escalationLevel: 1 });
    expect(ticket.deadlineAt - ui.clock.now()).toBeGreaterThan(60 * 60_000);
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    const expiring = section((await alice.get("/attention")).text, "att-expiring");
    expect(expiring).toContain(`href="/tickets/${id}"`);
    expect(expiring).toContain("escalated (level 1)");
    expect((await alice.get("/")).text).toContain("escalated (level 1)");
  });
});
