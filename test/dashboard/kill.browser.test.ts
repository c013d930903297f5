/**
 * The kill switch in a real Chromium against a real `acp serve` on a temporary SQLite file, with a real agent
 * process proposing in a loop: an operator engages the agent's switch through the confirmation step with a
 * reason; the agent's next proposal is denied (code kill_switch); pages already open show it without a reload.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot, signIn, type TestBrowser } from "../support/browser.js";
import { type Child, spawnTs } from "../support/child-process.js";
import { type DashboardServer, startDashboardServer } from "../support/dashboard-server.js";

/** The first JSON line printed by `agent` that satisfies `ok` (waiting for more lines as needed). */
async function line(
  agent: Child,
  ok: (l: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  for (;;) {
    const found = agent.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find(ok);
    if (found) return found;
    await agent.waitForLines(agent.lines.length + 1);
  }
}

/** Resolves once the page's live connection answers (the stream starts at the feed's end as of then). */
function liveConnected(page: Page): Promise<unknown> {
  return page.waitForResponse((r) => new URL(r.url()).pathname === "/ui/stream");
}

describe("kill switch (Chromium, acp serve, agent process)", () => {
  let ui: DashboardServer;
  let browser: TestBrowser;
  const children: Child[] = [];
  beforeAll(async () => {
    [ui, browser] = await Promise.all([startDashboardServer(), launchBrowser()]);
  });
  afterAll(async () => {
    for (const c of children) c.process.kill("SIGTERM");
    await Promise.all(children.map((c) => c.exited));
    await browser?.close();
    await ui?.stop();
  });

  it("halts a running agent after confirmation with a reason, and open pages show it live", async () => {
    await ui.api(ui.tokens.admin, "POST", "/v1/agents", {
      id: "agent-a",
      name: "Loop bot",
      capabilities: ["read_file"],
    });
    const agent = spawnTs("test/dashboard/kill-loop-agent.ts", [], {
      env: {
        ...process.env,
        ACP_URL: ui.url,
        ACP_TOKEN: await ui.agentToken("agent-a"),
        ACP_AGENT: "agent-a",
      },
    });
    children.push(agent);
    const sessionId = String((await line(agent, (l) => l.step === "session")).session_id);
    await line(agent, (l) => l.step === "decision" && l.n === 1 && l.outcome === "allowed");

    // A viewer keeps the session's page and the kill switch page open (no reload from here on).
    const watcher = await browser.newContext();
    const sessionPage = await watcher.newPage();
    const sessionLive = liveConnected(sessionPage);
    await signIn(sessionPage, ui.url, ui.tokens.viewer, `/sessions/${sessionId}`);
    await sessionLive;
    await sessionPage.locator("#session-live .facts .badge").filter({ hasText: "active" }).waitFor();
    const killPage = await watcher.newPage();
    const killLive = liveConnected(killPage);
    await killPage.goto(`${ui.url}/kill`);
    await killLive;
    await killPage.getByText("No kill switch is engaged").waitFor();
    for (const p of [sessionPage, killPage]) await p.evaluate("window.noReloadMarker = 1");

    // The operator goes from the agents page through the confirmation step.
    const operator = await browser.newContext();
    const page = await operator.newPage();
    await signIn(page, ui.url, ui.tokens.operator, "/agents");
    await page.getByRole("cell", { name: /Loop bot/ }).waitFor();
    await screenshot(page, "agents");
    await page.getByRole("link", { name: "Kill agent-a…" }).click();
    await page.waitForURL((u) => u.pathname === "/kill");
    expect(await page.getByLabel("Agent id (for one agent)").inputValue()).toBe("agent-a");
    expect(await page.getByLabel(/One agent/).isChecked()).toBe(true);
    await page.getByLabel("Reason (required)").fill("runaway loop");
    await page.getByRole("button", { name: "Review and confirm…" }).click();
    await page.getByRole("heading", { name: "Stop agent agent-a?" }).waitFor();
    await expect(page.locator(".effects").textContent()).resolves.toContain("are paused: 1 session now");
    await screenshot(page, "kill-confirm");
    const before = await ui.api(ui.tokens.viewer, "GET", "/v1/kill-switches");
    expect(JSON.stringify(before)).not.toContain("agent-a"); // nothing engaged before confirming
    await page.getByRole("button", { name: "Engage kill switch" }).click();
    await page.getByRole("status").filter({ hasText: "Kill switch engaged for agent agent-a" }).waitFor();

    // The agent's next proposal is denied by the kill switch.
    const denied = await line(agent, (l) => l.step === "decision" && l.outcome !== "allowed");
    expect(denied).toMatchObject({ outcome: "denied", code: "kill_switch" });
    expect(String(denied.reason)).toContain("runaway loop");
    expect(await agent.exited).toBe(0);

    // The pages left open show it live, without a reload.
    const row = killPage.locator('tr.engaged[data-scope="agent"][data-target="agent-a"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain("runaway loop");
    await expect(row.textContent()).resolves.toContain("olivia");
    const after = await ui.api<{ scope: string; reason: string; engaged_by: string | null }[]>(
      ui.tokens.viewer,
      "GET",
      "/v1/kill-switches",
    );
    expect(after).toContainEqual(
      expect.objectContaining({ scope: "agent", reason: "runaway loop", engaged_by: "olivia" }),
    );
    await sessionPage.locator("#session-live .facts .badge").filter({ hasText: "paused" }).waitFor();
    for (const p of [sessionPage, killPage]) {
      expect(await p.evaluate("window.noReloadMarker")).toBe(1);
    }
    expect(await killPage.getByRole("button", { name: "Resume" }).count()).toBe(0); // a viewer cannot resume

    await page.getByRole("row", { name: /agent-a/ }).waitFor();
    await screenshot(page, "kill-engaged");
    expect(browser.offHost).toEqual([]);
    await Promise.all([watcher.close(), operator.close()]);
  });

  it("on a phone: a blank reason is refused naming the field; then the global switch, and its banner live", async () => {
    const watcher = await browser.newContext();
    const watching = await watcher.newPage();
    const live = liveConnected(watching);
    await signIn(watching, ui.url, ui.tokens.viewer, "/kill");
    await live;
    await watching.evaluate("window.noReloadMarker = 1");
    const operator = await browser.newContext({ mobile: true });
    const page = await operator.newPage();
    await signIn(page, ui.url, ui.tokens.operator, "/kill");
    await page.getByLabel(/Everything/).check();
    await page.getByLabel("Reason (required)").fill("   ");
    await page.getByRole("button", { name: "Review and confirm…" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "Nothing was engaged" });
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain("reason");
    expect(await page.getByRole("heading", { name: /^Stop / }).count()).toBe(0);
    await screenshot(page, "kill-error-mobile");
    await expect(page.locator(".kill-banner").count()).resolves.toBe(0);
    const before = await ui.api(ui.tokens.viewer, "GET", "/v1/kill-switches");
    expect(JSON.stringify(before)).not.toContain('"global"');

    await page.getByLabel("Reason (required)").fill("incident 7");
    await page.getByRole("button", { name: "Review and confirm…" }).click();
    await page.getByRole("heading", { name: "Stop everything (global)?" }).waitFor();
    await expect(page.locator(".effects").textContent()).resolves.toContain("Every live session is aborted");
    await page.getByRole("button", { name: "Engage kill switch" }).click();
    await page.getByRole("status").filter({ hasText: "Kill switch engaged for everything" }).waitFor();

    const banner = watching.locator(".kill-banner");
    await banner.waitFor();
    await expect(banner.textContent()).resolves.toContain("Global kill switch engaged");
    await expect(banner.textContent()).resolves.toContain("incident 7");
    await watching.locator('tr.engaged[data-scope="global"]').waitFor();
    expect(await watching.evaluate("window.noReloadMarker")).toBe(1);
    await screenshot(watching, "kill-global-banner");
    expect(browser.offHost).toEqual([]);
    await Promise.all([watcher.close(), operator.close()]);
  });
});
