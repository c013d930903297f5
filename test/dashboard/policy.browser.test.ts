/**
 * The Policy page in Chromium against a real `acp serve`: the current policy, validation of an edited copy
 * naming the bad path, a dry run showing the decision and every trace step in order; screenshots.
 */
import { describe, expect, it } from "vitest";
import { screenshot, signIn, type TestBrowser } from "../support/browser.js";
import { type DashboardServer, withDashboardAndBrowser } from "../support/dashboard-server.js";

describe("policy page (Chromium)", () => {
  let ui: DashboardServer;
  let browser: TestBrowser;
  withDashboardAndBrowser((u, b) => {
    ui = u;
    browser = b;
  });

  it("validates an edited copy (the error names its path) and dry-runs a proposal with its trace", async () => {
    const current = await ui.api<{ policy_id: string }>(ui.tokens.viewer, "GET", "/v1/policies/current");
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, ui.url, ui.tokens.viewer, "/policy");
    expect(await page.locator("main").textContent()).toContain(current.policy_id);
    await screenshot(page, "policy");

    const editor = page.getByLabel("Edited policy (YAML or JSON)");
    const text = await editor.inputValue();
    expect(text).toContain("send_payment");
    await editor.fill(text.replace("- delete_database", "- 42"));
    await page.getByRole("button", { name: "Validate" }).click();
    const alert = page.locator("#validate-result");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/actions\.blocked\[0\]: /);
    await screenshot(page, "policy-invalid");

    await editor.fill(text);
    await page.getByLabel("Action", { exact: true }).fill("deploy");
    await page.getByLabel("Resource id").fill("billing");
    await page.getByLabel("Cost").fill("12.5");
    await page.getByLabel("Arguments (a JSON object)").fill('{"env":"prod"}');
    await page.getByRole("button", { name: "Dry run" }).click();
    const result = page.locator("#dry-run-result");
    await result.waitFor();
    const expected = await ui.api<{
      outcome: string;
      code: string;
      trace: { step: string; result: string; detail?: string }[];
    }>(ui.tokens.viewer, "POST", "/v1/policies/test", {
      proposal: { action: "deploy", resource_id: "billing", cost: "12.5", args: { env: "prod" } },
    });
    expect(expected.outcome).toBe("pending_approval");
    expect(await result.textContent()).toContain(expected.code);
    const steps = await result.locator("ol.trace > li").allTextContents();
    expect(steps).toEqual(
      expected.trace.map((t) => `${t.step}: ${t.result}${t.detail ? ` — ${t.detail}` : ""}`),
    );
    await result.scrollIntoViewIfNeeded();
    await screenshot(page, "policy-dry-run");
    expect(browser.offHost).toEqual([]);
    await context.close();
  });
});
