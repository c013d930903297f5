/**
 * The approvals inbox in a real Chromium against a real `acp serve` on a temporary SQLite file: an agent
 * process waiting on a ticket resumes after a click on Approve; a new ticket appears live; a viewer cannot
 * decide (not even with a forged request); a cross-site form post is refused; the session-scope form lets a
 * later identical action run without a ticket. Nothing is loaded from outside 127.0.0.1.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot, signIn, type TestBrowser } from "../support/browser.js";
import { type Child, jsonStep, spawnTs } from "../support/child-process.js";
import { type DashboardServer, startDashboardServer } from "../support/dashboard-server.js";

interface Proposed {
  readonly session_id: string;
  readonly ticket_id: string;
  readonly proposal_id: string;
  readonly outcome: string;
}

describe("approvals inbox (Chromium)", () => {
  let ui: DashboardServer;
  let browser: TestBrowser;
  let agentToken: string;
  const children: Child[] = [];
  const servers: Server[] = [];

  beforeAll(async () => {
    [ui, browser] = await Promise.all([startDashboardServer(), launchBrowser()]);
    agentToken = await ui.agentToken("agent-b");
  });
  afterAll(async () => {
    for (const c of children) c.process.kill("SIGTERM");
    await Promise.all(children.map((c) => c.exited));
    for (const s of servers) s.close();
    await browser?.close();
    await ui?.stop();
  });

  /** Proposes `action` as agent-b in `sessionId` (a new session when absent). */
  async function propose(
    action: string,
    resourceId: string,
    sessionId?: string,
    cost = "0.5",
  ): Promise<Proposed> {
    const sid =
      sessionId ??
      (await ui.api<{ id: string }>(agentToken, "POST", "/v1/sessions", { agent_id: "agent-b" })).id;
    const d = await ui.api<Omit<Proposed, "session_id">>(agentToken, "POST", "/v1/proposals", {
      session_id: sid,
      action,
      resource_id: resourceId,
      cost,
    });
    return { ...d, session_id: sid };
  }

  const ticketStatus = async (id: string) =>
    (await ui.api<{ status: string }>(ui.tokens.admin, "GET", `/v1/tickets/${id}`)).status;

  /** Signs `token` in on a new page whose live connection is open (so that no event can be missed). */
  async function openInbox(token: string, mobile = false): Promise<Page> {
    const context = await browser.newContext({ mobile });
    const page = await context.newPage();
    const streaming = page.waitForResponse((r) => new URL(r.url()).pathname === "/ui/stream");
    await signIn(page, ui.url, token, "/");
    await streaming;
    return page;
  }

  it("an agent waiting on a ticket resumes after Approve; a new ticket appears live within 1 s", async () => {
    const agent = spawnTs("test/support/e2e-agent.ts", [], {
      stdin: true,
      env: { ...process.env, ACP_URL: ui.url, ACP_TOKEN: await ui.agentToken("agent-a") },
    });
    children.push(agent);
    const pending = await jsonStep(agent, "pending");
    const ticketId = String(pending.ticket_id);

    const page = await openInbox(ui.tokens.approver);
    const card = page.locator(`#ticket-${ticketId}`);
    await card.waitFor();
    await expect(card.getByRole("heading", { level: 2 }).textContent()).resolves.toContain("deploy on svc");
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    const started = Date.now();
    const live = await propose("send_payment", "acct-42", undefined, "120");
    expect(live.outcome).toBe("pending_approval");
    await page.locator(`#ticket-${live.ticket_id}`).waitFor({ timeout: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await expect(page.locator("#pending-count").textContent()).resolves.toBe("2");
    await screenshot(page, "approvals-inbox");

    await card.getByRole("button", { name: "Approve once" }).click();
    await page.getByRole("status").filter({ hasText: "Approved deploy on svc (once)" }).waitFor();
    expect(await jsonStep(agent, "decided")).toMatchObject({ status: "approved" });
    expect(await jsonStep(agent, "allowed")).toMatchObject({
      outcome: "allowed",
      proposal_id: pending.proposal_id,
    });
    expect(await jsonStep(agent, "completed")).toMatchObject({ status: "succeeded" });
    agent.process.stdin!.end("next\n");
    expect(await agent.exited).toBe(0);
    const decided = await ui.api<{ status: string; decided_by: string }>(
      ui.tokens.admin,
      "GET",
      `/v1/tickets/${ticketId}`,
    );
    expect(decided).toMatchObject({ status: "approved", decided_by: "alice" });
    await page.locator(`#ticket-${ticketId}`).waitFor({ state: "detached" });

    const phone = await openInbox(ui.tokens.approver, true);
    await phone.locator(`#ticket-${live.ticket_id}`).waitFor();
    await screenshot(phone, "approvals-inbox-mobile");
    await phone.context().close();
    await page.context().close();
    expect(browser.offHost).toEqual([]);
  });

  it("a viewer sees no approve or deny button, and its forged POSTs with a valid cookie and token answer 403", async () => {
    const { ticket_id: id } = await propose("deploy", "api");
    const page = await openInbox(ui.tokens.viewer);
    const card = page.locator(`#ticket-${id}`);
    await card.waitFor();
    expect(await page.getByRole("button", { name: /approve|deny/i }).count()).toBe(0);
    await screenshot(page, "approvals-viewer");
    const csrf = await page.locator('form[action="/logout"] input[name="_csrf"]').inputValue();
    expect(csrf).not.toBe("");
    const forged = await page.request.post(`${ui.url}/tickets/${id}/approve`, {
      form: { _csrf: csrf, scope: "once" },
    });
    expect(forged.status()).toBe(403);
    const fetched = await page.evaluate(
      async ([path, token]) => {
        const res = await fetch(path!, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": token! },
          body: "reason=forged",
        });
        return res.status;
      },
      [`/tickets/${id}/deny`, csrf],
    );
    expect(fetched).toBe(403);
    expect(await ticketStatus(id)).toBe("pending");
    await page.context().close();
    expect(browser.offHost).toEqual([]);
  });

  it("a cross-site form post to approve is refused: the cookie is sent, the answer is 403, the ticket stays pending", async () => {
    const { ticket_id: id } = await propose("deploy", "web");
    const page = await openInbox(ui.tokens.approver);
    // Even knowing the sign-in's CSRF token, a page of another origin may not decide.
    const csrf = await page.locator('form[action="/logout"] input[name="_csrf"]').inputValue();
    const evil = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(
        `<!doctype html><form id="f" method="post" action="${ui.url}/tickets/${id}/approve">` +
          `<input name="_csrf" value="${csrf}"><input name="scope" value="once"></form>` +
          `<script>document.getElementById("f").submit()</script>`,
      );
    });
    servers.push(evil);
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
    const posted = page.waitForRequest(
      (r) => r.method() === "POST" && r.url().endsWith(`/tickets/${id}/approve`),
    );
    const answered = page.waitForResponse((r) => r.url().endsWith(`/tickets/${id}/approve`));
    await page.goto(evilUrl);
    const headers = await (await posted).allHeaders();
    expect(headers.cookie).toMatch(/acp_session=/);
    expect(headers.origin).toBe(evilUrl.slice(0, -1));
    expect((await answered).status()).toBe(403);
    expect(await ticketStatus(id)).toBe("pending");
    await page.context().close();
    expect(browser.offHost).toEqual([]);
  });

  it("approve for the session with a scope lets a later identical action run without a ticket; deny needs a reason", async () => {
    const first = await propose("deploy", "batch");
    const page = await openInbox(ui.tokens.approver);
    await page.goto(`${ui.url}/tickets/${first.ticket_id}`);
    await page.getByText("Approve for the session…").click();
    await page.getByLabel("Max uses").fill("2");
    await page.getByLabel("Expires after (minutes)").fill("30");
    await page.getByLabel("Max cost per action").fill("1");
    await screenshot(page, "approvals-ticket");
    await page.getByRole("button", { name: "Approve for the session" }).click();
    await page.getByRole("status").filter({ hasText: "(for the session)" }).waitFor();
    await page.getByText("uses: 2 of 2 left").waitFor();
    expect(new URL(page.url()).pathname).toBe(`/tickets/${first.ticket_id}`);

    // The agent's retry runs the approved one; a later identical action (new args) runs without a ticket.
    const retry = await propose("deploy", "batch", first.session_id);
    expect(retry.outcome).toBe("allowed");
    await ui.api(agentToken, "POST", `/v1/proposals/${retry.proposal_id}/complete`, { ok: true });
    const later = await ui.api<{ outcome: string; ticket_id?: string | null }>(
      agentToken,
      "POST",
      "/v1/proposals",
      {
        session_id: first.session_id,
        action: "deploy",
        resource_id: "batch",
        cost: "0.5",
        args: { run: 2 },
      },
    );
    expect(later.outcome).toBe("allowed");
    expect(later.ticket_id ?? null).toBeNull();

    const other = await propose("deploy", "queue");
    await page.goto(`${ui.url}/tickets/${other.ticket_id}`);
    const reason = page.getByLabel("Reason for denying (required)");
    await reason.evaluate((el) => el.removeAttribute("required")); // what a browser without validation would send
    await page.getByRole("button", { name: "Deny" }).click();
    await page.getByRole("alert").filter({ hasText: "reason" }).waitFor();
    await expect(page.getByRole("alert").textContent()).resolves.toContain(
      "reason: give a reason for denying",
    );
    expect(await ticketStatus(other.ticket_id)).toBe("pending");
    await page.getByLabel("Reason for denying (required)").fill("not tonight");
    await page.getByRole("button", { name: "Deny" }).click();
    await page.getByRole("status").filter({ hasText: "Denied deploy on queue" }).waitFor();
    expect(await ticketStatus(other.ticket_id)).toBe("denied");

    const streaming = page.waitForResponse((r) => new URL(r.url()).pathname === "/ui/stream");
    await page.goto(`${ui.url}/attention`);
    await page.getByRole("heading", { name: /Approvals running out of time/ }).waitFor();
    await streaming;
    // A new 15-minute ticket is not urgent yet (red and listed only in its last 5 minutes)…
    const fresh = await propose("send_payment", "acct-7");
    // …but a session whose budget runs out is listed live, without a reload.
    const spent = await ui.api<{ id: string }>(agentToken, "POST", "/v1/sessions", {
      agent_id: "agent-b",
      budget: { max_actions: 1 },
    });
    const ran = await propose("read_file", "a.txt", spent.id);
    await ui.api(agentToken, "POST", `/v1/proposals/${ran.proposal_id}/complete`, { ok: true });
    await page.locator(`#attention a[href="/sessions/${spent.id}"]`).waitFor({ timeout: 10_000 }); // live, without a reload (the 1 s bound is the inbox's, above)
    expect(await page.locator(`#attention a[href="/tickets/${fresh.ticket_id}"]`).count()).toBe(0);
    await screenshot(page, "attention");
    await page.context().close();
    expect(browser.offHost).toEqual([]);
  });
});
