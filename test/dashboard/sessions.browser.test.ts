/**
 * The sessions pages in a real Chromium against a real `acp serve` on a temporary SQLite file: the list (desktop
 * and phone), a session's page updating live, and pause / resume / abort by an operator; a viewer sees no controls.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot, signIn, type TestBrowser } from "../support/browser.js";
import { type DashboardServer, startDashboardServer } from "../support/dashboard-server.js";

/** Resolves once the page's live connection answers (the stream starts at the feed's end as of then). */
function liveConnected(page: Page): Promise<unknown> {
  return page.waitForResponse((r) => new URL(r.url()).pathname === "/ui/stream");
}

describe("sessions pages (Chromium, acp serve)", () => {
  let ui: DashboardServer;
  let browser: TestBrowser;
  let agentToken: string;
  beforeAll(async () => {
    [ui, browser] = await Promise.all([startDashboardServer(), launchBrowser()]);
    agentToken = await ui.agentToken("agent-a");
  });
  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  /** Opens a session as agent-a with a budget and spends some of it; returns its id. */
  async function openSession(name: string, spend: number): Promise<string> {
    const s = await ui.api<{ id: string }>(agentToken, "POST", "/v1/sessions", {
      name,
      agent_id: "agent-a",
      budget: { max_cost: "10", max_actions: 20 },
    });
    for (let i = 0; i < spend; i++) {
      const d = await ui.api<{ proposal_id: string }>(agentToken, "POST", "/v1/proposals", {
        session_id: s.id,
        action: "read_file",
        resource_id: `doc-${i}.md`,
        cost: "1.25",
      });
      await ui.api(agentToken, "POST", `/v1/proposals/${d.proposal_id}/complete`, { ok: true });
    }
    return s.id;
  }

  it("lists sessions with budget bars and filters, on a desktop and a phone", async () => {
    await openSession("nightly report", 3);
    await openSession("inbox triage", 0);
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, ui.url, ui.tokens.viewer, "/sessions");
    const table = page.locator("#sessions-table");
    await table.getByRole("link", { name: "nightly report" }).waitFor();
    await expect(table.textContent()).resolves.toContain("3.75 of 10");
    await screenshot(page, "sessions-list");

    await page.getByLabel("Status").selectOption("created");
    const filteredLive = liveConnected(page); // awaited so that the next wait sees only the next page's stream
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL((u) => u.searchParams.get("status") === "created");
    await filteredLive;
    await table.getByRole("link", { name: "inbox triage" }).waitFor();
    expect(await table.getByRole("link", { name: "nightly report" }).count()).toBe(0);

    // A new session appears without a reload.
    const live = liveConnected(page);
    await page.getByRole("link", { name: "Clear" }).click();
    await page.waitForURL((u) => u.pathname === "/sessions" && u.search === "");
    await live;
    await page.evaluate("window.noReloadMarker = 1");
    await openSession("arrived live", 0);
    await table.getByRole("link", { name: "arrived live" }).waitFor();
    expect(await page.evaluate("window.noReloadMarker")).toBe(1);

    const phone = await browser.newContext({ mobile: true });
    const small = await phone.newPage();
    await signIn(small, ui.url, ui.tokens.viewer, "/sessions");
    await small.locator("#sessions-table").getByRole("link", { name: "nightly report" }).waitFor();
    const overflow = await small.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0); // only the table scrolls sideways, not the page
    await screenshot(small, "sessions-list-mobile");
    expect(browser.offHost).toEqual([]);
    await Promise.all([context.close(), phone.close()]);
  });

  it("an operator pauses, resumes and aborts a session; its page updates live; a viewer sees no controls", async () => {
    const id = await openSession("payments run", 2);
    const viewer = await browser.newContext();
    const watching = await viewer.newPage();
    const live = liveConnected(watching);
    await signIn(watching, ui.url, ui.tokens.viewer, `/sessions/${id}`);
    await live;
    expect(await watching.getByRole("button", { name: /Pause|Abort|Resume/ }).count()).toBe(0);
    const status = watching.locator("#session-live .facts .badge");

    const operator = await browser.newContext();
    const page = await operator.newPage();
    await signIn(page, ui.url, ui.tokens.operator, `/sessions/${id}`);
    await page.getByRole("heading", { name: "Audit timeline" }).waitFor();
    await screenshot(page, "sessions-detail");

    // Paused elsewhere (the API): the controls follow live and a reason being typed survives the refresh.
    const opLive = liveConnected(page);
    await page.reload();
    await opLive;
    await page.getByLabel("Abort reason (required)").fill("half typed");
    await ui.api(ui.tokens.operator, "POST", `/v1/sessions/${id}/pause`, { reason: "from the API" });
    await page.getByRole("button", { name: "Resume session" }).waitFor();
    expect(await page.getByLabel("Abort reason (required)").inputValue()).toBe("half typed");
    await ui.api(ui.tokens.operator, "POST", `/v1/sessions/${id}/resume`, {});
    await page.getByRole("button", { name: "Pause session" }).waitFor();

    await page.getByLabel("Pause reason (optional)").fill("checking the payee");
    await page.getByRole("button", { name: "Pause session" }).click();
    await page.getByRole("status").filter({ hasText: "Session paused" }).waitFor();
    await expect(page.locator(".facts").textContent()).resolves.toContain("checking the payee");
    await status.filter({ hasText: "paused" }).waitFor(); // the viewer's page, live

    await page.getByRole("button", { name: "Resume session" }).click();
    await page.getByRole("status").filter({ hasText: "Session resumed" }).waitFor();
    await status.filter({ hasText: "active" }).waitFor();

    await page.getByLabel("Abort reason (required)").fill("   ");
    await page.getByRole("button", { name: "Abort session" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain("reason");
    await page.goto(`${ui.url}/sessions/${id}`);
    await page.getByLabel("Abort reason (required)").fill("duplicate run");
    await page.getByRole("button", { name: "Abort session" }).click();
    await page.getByRole("status").filter({ hasText: "Session aborted" }).waitFor();
    await expect(page.locator(".facts").textContent()).resolves.toContain("duplicate run · by olivia");
    await status.filter({ hasText: "aborted" }).waitFor();
    await expect(
      ui.api<{ status: string }>(ui.tokens.viewer, "GET", `/v1/sessions/${id}`).then((s) => s.status),
    ).resolves.toBe("aborted");
    expect(browser.offHost).toEqual([]);
    await Promise.all([viewer.close(), operator.close()]);
  });
});
