/**
 * The dashboard's sign-in in a real Chromium against a real `acp serve` on a temporary SQLite file.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshot, signIn, type TestBrowser } from "../support/browser.js";
import { type StartedServe, startServe } from "../support/serve-process.js";

describe("dashboard sign-in (Chromium)", () => {
  const dir = mkdtempSync(join(tmpdir(), "acp-ui-"));
  let server: StartedServe;
  let browser: TestBrowser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startServe(["--sqlite", join(dir, "cp.db"), "--policy", "examples/policy.yaml"]),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    server?.process.kill("SIGTERM");
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("redirects to the sign-in page, signs in with a token, and loads nothing from outside 127.0.0.1", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/sessions`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await screenshot(page, "sign-in");
    await signIn(page, server.url, server.adminToken!, "/sessions");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Sessions");
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "acp_session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(browser.offHost).toEqual([]);
    expect(browser.requests.some((u) => u.includes("/assets/htmx.min.js"))).toBe(true);
    await context.close();
  });

  it("refuses a wrong token with a message and sets no cookie", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel("API token").fill("acp_wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("not valid");
    expect((await context.cookies()).some((c) => c.name === "acp_session")).toBe(false);
    await context.close();
  });
});
