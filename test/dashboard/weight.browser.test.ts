/**
 * Page weight: the bytes a first load of `/` transfers (HTML and every asset, uncompressed, as the server
 * sends them), measured in Chromium against a real `acp serve`, against a budget of 100 KB; and the HTML of
 * every other page (its assets are then cached: immutable URLs). The figures are printed (docs/dashboard.md states them).
 */
import { describe, expect, it } from "vitest";
import { ASSET_BYTES } from "../../src/dashboard/assets.js";
import { NAV } from "../../src/dashboard/layout.js";
import { signIn, type TestBrowser } from "../support/browser.js";
import { type DashboardServer, withDashboardAndBrowser } from "../support/dashboard-server.js";

/** Budget of a first load of `/`: HTML plus assets, uncompressed. */
const BUDGET = 100 * 1024;

describe("page weight (Chromium)", () => {
  let ui: DashboardServer;
  let browser: TestBrowser;
  withDashboardAndBrowser((u, b) => {
    ui = u;
    browser = b;
  });

  it(`a first load of / transfers at most ${BUDGET / 1024} KB (HTML + assets)`, async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, ui.url, ui.tokens.admin, "/audit"); // the sign-in loads the assets: measure in a fresh context
    const fresh = await browser.newContext();
    await fresh.addCookies(await context.cookies());
    await context.close();
    const first = await fresh.newPage();
    const sizes = new Map<string, number>();
    const caching = new Map<string, string | undefined>();
    const pending: Promise<void>[] = [];
    first.on("response", (res) => {
      const url = new URL(res.url());
      if (url.pathname === "/ui/stream") return; // the live connection never ends: not page weight
      caching.set(url.pathname, res.headers()["cache-control"]);
      pending.push(
        res.body().then(
          (b) => {
            sizes.set(url.pathname, b.length);
          },
          () => undefined,
        ),
      );
    });
    await first.goto(`${ui.url}/`, { waitUntil: "load" });
    await Promise.all(pending);
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    const lines = [...sizes].map(([path, n]) => `  ${path}: ${n} B`).join("\n");
    console.log(`page weight: first load of / = ${total} B (${(total / 1024).toFixed(1)} KB)\n${lines}`);
    expect([...sizes.keys()].sort()).toEqual(
      ["/", "/assets/dashboard.css", "/assets/htmx.min.js", "/assets/sse.min.js"].sort(),
    );
    // The assets are what the server ships, whole.
    expect(total - sizes.get("/")!).toBe(ASSET_BYTES);
    expect(total).toBeLessThanOrEqual(BUDGET);

    // The other pages fetch only their HTML: the assets' URLs carry their hash and are cached for good
    // (the test's request interception turns Chromium's cache off, so this checks the headers).
    for (const [path, cc] of caching) {
      if (path.startsWith("/assets/")) expect(cc).toBe("public, max-age=31536000, immutable");
    }
    for (const nav of NAV) {
      const res = await first.goto(ui.url + nav.href);
      const html = (await res!.body()).length;
      console.log(`page weight: ${nav.href} HTML ${html} B`);
      expect(html).toBeLessThan(BUDGET);
    }
    expect(browser.offHost).toEqual([]);
    await fresh.close();
  });
});
