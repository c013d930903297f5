/**
 * The Audit log in Chromium against a real `acp serve`: the live tail prepends a new matching event within
 * 1 s without a reload (and leaves out what does not match), the filters, the export link, screenshots.
 */
import { describe, expect, it } from "vitest";
import { screenshot, signIn, type TestBrowser } from "../support/browser.js";
import { type DashboardServer, withDashboardAndBrowser } from "../support/dashboard-server.js";

/** Records in the page whether the htmx SSE connection is open (before any page script runs). */
const WATCH_SSE = 'document.addEventListener("htmx:sseOpen", () => { window.sseOpen = true; });';

describe("audit log (Chromium)", () => {
  let ui: DashboardServer;
  let browser: TestBrowser;
  withDashboardAndBrowser((u, b) => {
    ui = u;
    browser = b;
  });

  const agentTokens = new Map<string, string>();
  /** An API call as agent `agent` (its token is created on first use). */
  async function asAgent<T>(agent: string, path: string, body: Record<string, unknown>): Promise<T> {
    if (!agentTokens.has(agent)) agentTokens.set(agent, await ui.agentToken(agent));
    return ui.api<T>(agentTokens.get(agent)!, "POST", path, body);
  }
  const openSession = (name: string, agent = "agent-a") =>
    asAgent<{ id: string }>(agent, "/v1/sessions", { name });
  const propose = (agent: string, body: Record<string, unknown>) =>
    asAgent(agent, "/v1/proposals", { agent_id: agent, ...body });

  it("shows a new matching event within 1 s without a reload, and only matching ones", async () => {
    const first = await openSession("before");
    await propose("agent-a", {
      session_id: first.id,
      action: "deploy",
      resource_id: "billing",
      cost: "12.5",
    });
    const context = await browser.newContext();
    await context.addInitScript(WATCH_SSE);
    const page = await context.newPage();
    await signIn(page, ui.url, ui.tokens.viewer, "/audit?kind=session_opened");
    // Polled from the test (page.waitForFunction with a string would need eval, which the CSP forbids).
    await expect
      .poll(() => page.evaluate<boolean>("window.sseOpen === true"), { timeout: 10_000 })
      .toBe(true);
    const rows = page.locator("#audit-rows tr");
    const before = await rows.count();
    expect(before).toBe(1);
    let reloaded = false;
    page.on("framenavigated", () => {
      reloaded = true;
    });

    // A non-matching burst, then a matching event: it alone is prepended.
    const noisy = await openSession("noisy", "agent-b");
    await propose("agent-b", {
      session_id: noisy.id,
      action: "read_file",
    });
    const live = await openSession("live");
    const started = Date.now(); // the event is committed: from here it must show within 1 s
    const row = page.locator(`#audit-rows tr:first-child a[title="${live.id}"]`);
    await row.waitFor({ state: "visible", timeout: 1000 });
    const latency = Date.now() - started;
    console.log(`audit live tail: new row after ${latency} ms`);
    expect(latency).toBeLessThan(1000);
    expect(reloaded).toBe(false);
    await expect.poll(() => rows.count()).toBe(3);
    const kinds = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-kind")));
    expect(kinds).toEqual(["session_opened", "session_opened", "session_opened"]);
    expect(browser.offHost).toEqual([]);
    await context.close();
  });

  it("filters with the form, links the export with the filters, and looks right on desktop and phone", async () => {
    const s = await openSession("filtered", "agent-c");
    await propose("agent-c", {
      session_id: s.id,
      action: "send_payment",
      resource_id: "acct-42",
      cost: "99",
      args: { to: "acme", memo: "invoice 7" },
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, ui.url, ui.tokens.operator, "/audit");
    await screenshot(page, "audit");
    await page.getByLabel("Agent id").fill("agent-c");
    await page.getByLabel("Event").selectOption("approval_requested");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL((u) => u.searchParams.get("agent_id") === "agent-c");
    const rows = page.locator("#audit-rows tr");
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute("data-kind")).toBe("approval_requested");
    await rows.first().locator("summary").click();
    await expect.poll(() => rows.first().locator("pre").isVisible()).toBe(true);
    const exportLink = page.getByRole("link", { name: /Export matching events/ });
    expect(await exportLink.getAttribute("href")).toBe(
      "/audit/export.jsonl?agent_id=agent-c&kind=approval_requested",
    );
    const [download] = await Promise.all([page.waitForEvent("download"), exportLink.click()]);
    const file = await download.path();
    const { readFileSync } = await import("node:fs");
    const lines = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ acp_kind: "approval_requested", agent_id: "agent-c", session_id: s.id });
    await context.close();

    const phone = await browser.newContext({ mobile: true });
    const mobile = await phone.newPage();
    await signIn(mobile, ui.url, ui.tokens.viewer, "/audit");
    await screenshot(mobile, "audit-mobile");
    // The table scrolls inside its frame: the page itself does not scroll sideways.
    const overflow = await mobile.evaluate<number>(
      "document.documentElement.scrollWidth - window.innerWidth",
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(browser.offHost).toEqual([]);
    await phone.close();
  });
});
