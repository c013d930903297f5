/**
 * Accessibility of every page of the navigation (signed in as admin) in Chromium against a real `acp serve`:
 * `lang` set, one `<h1>`, every form control has an accessible name (Chromium's own accessibility tree),
 * the keyboard path from the top (skip link, then the navigation, with a visible focus ring), the skip link
 * moving focus to the content, and each page at phone size (390×844) without sideways scrolling, with a
 * screenshot of each.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { NAV } from "../../src/dashboard/layout.js";
import { screenshot, signIn, type TestBrowser } from "../support/browser.js";
import { type DashboardServer, withDashboardAndBrowser } from "../support/dashboard-server.js";

/** Roles of form controls in Chromium's accessibility tree. */
const CONTROL_ROLES = new Set([
  "textbox",
  "searchbox",
  "combobox",
  "listbox",
  "checkbox",
  "radio",
  "spinbutton",
  "slider",
  "switch",
]);

interface AxNode {
  ignored?: boolean;
  role?: { value?: string };
  name?: { value?: string };
  backendDOMNodeId?: number;
}

/** The form controls of the page and those without an accessible name, as Chromium computes it. */
async function controlNames(page: Page): Promise<{ count: number; unnamed: string[] }> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as { nodes: AxNode[] };
    const controls = nodes.filter((n) => !n.ignored && CONTROL_ROLES.has(n.role?.value ?? ""));
    const unnamed = controls
      .filter((n) => (n.name?.value ?? "").trim() === "")
      .map((n) => `${n.role?.value} (DOM node ${n.backendDOMNodeId})`);
    return { count: controls.length, unnamed };
  } finally {
    await cdp.detach();
  }
}

/** What has the keyboard focus: its tag, href/id and text, and whether a focus ring is drawn. */
const FOCUSED = `(() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    href: el.getAttribute("href"),
    id: el.id,
    text: (el.textContent || "").trim(),
    ring: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0,
    onScreen: r.right > 0 && r.bottom > 0 && r.left < window.innerWidth && r.top < window.innerHeight,
  };
})()`;

interface Focused {
  tag: string;
  href: string | null;
  id: string;
  text: string;
  ring: boolean;
  onScreen: boolean;
}

describe("accessibility of every page (Chromium)", () => {
  let ui: DashboardServer;
  let browser: TestBrowser;
  withDashboardAndBrowser((u, b) => {
    ui = u;
    browser = b;
  });

  it("every page: lang, one h1, named controls, keyboard path with visible focus", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, ui.url, ui.tokens.admin, "/");
    const problems: string[] = [];
    let controls = 0;
    for (const nav of NAV) {
      await page.goto(ui.url + nav.href);
      const where = `${nav.href}:`;
      const lang = await page.locator("html").getAttribute("lang");
      if (!lang) problems.push(`${where} no lang on <html>`);
      const h1 = await page.locator("h1").count();
      if (h1 !== 1) problems.push(`${where} ${h1} <h1> elements`);
      const named = await controlNames(page);
      controls += named.count;
      for (const u of named.unnamed) problems.push(`${where} unnamed ${u}`);
      const current = await page.evaluate<string | null>(
        `document.querySelector('nav [aria-current="page"]')?.getAttribute("href") ?? null`,
      );
      if (current !== nav.href) problems.push(`${where} the navigation marks ${current} as the current page`);

      // Keyboard: from the top of a fresh load, Tab lands on the skip link (shown when focused), then reaches
      // every nav link in order.
      await page.goto(ui.url + nav.href);
      await page.keyboard.press("Tab");
      const skip = (await page.evaluate(FOCUSED)) as Focused;
      if (skip.href !== "#main" || !skip.onScreen || !skip.ring) {
        problems.push(`${where} first Tab: ${JSON.stringify(skip)} (expected the visible skip link)`);
      }
      const reached: string[] = [];
      for (let i = 0; i < NAV.length + 2 && reached.length < NAV.length; i++) {
        await page.keyboard.press("Tab");
        const f = (await page.evaluate(FOCUSED)) as Focused;
        if (f.href !== null && NAV.some((n) => n.href === f.href) && f.text !== "agent-control-plane") {
          reached.push(f.href);
          if (!f.ring) problems.push(`${where} no visible focus on nav link ${f.href}`);
        }
      }
      if (reached.join(" ") !== NAV.map((n) => n.href).join(" ")) {
        problems.push(`${where} Tab reached nav links ${reached.join(" ")}`);
      }
      // The skip link moves focus to the content.
      await page.goto(ui.url + nav.href);
      await page.keyboard.press("Tab");
      await page.keyboard.press("Enter");
      const afterSkip = (await page.evaluate(FOCUSED)) as Focused;
      if (afterSkip.id !== "main") problems.push(`${where} the skip link left focus on ${afterSkip.tag}`);
    }
    expect(problems).toEqual([]);
    console.log(`accessibility: ${controls} form controls over ${NAV.length} pages, all named`);
    expect(controls).toBeGreaterThan(5); // the audit filters and the policy forms at least
    expect(browser.offHost).toEqual([]);
    await context.close();
  });

  it("every page at phone size (390×844): no sideways scrolling, screenshot", async () => {
    const context = await browser.newContext({ mobile: true });
    const page = await context.newPage();
    await signIn(page, ui.url, ui.tokens.admin, "/");
    const problems: string[] = [];
    for (const nav of NAV) {
      await page.goto(ui.url + nav.href);
      expect(page.viewportSize()).toEqual({ width: 390, height: 844 });
      const overflow = await page.evaluate<number>(
        "document.documentElement.scrollWidth - window.innerWidth",
      );
      if (overflow > 0) problems.push(`${nav.href}: ${overflow}px wider than the phone`);
      await screenshot(page, `phone-${nav.id}`);
    }
    expect(problems).toEqual([]);
    expect(browser.offHost).toEqual([]);
    await context.close();
  });
});
