/**
 * Headless Chromium from Debian (`/usr/bin/chromium`, or ACP_CHROMIUM) driven by playwright-core: never a
 * downloaded browser. Every context records each request it makes and refuses any that would leave 127.0.0.1,
 * so a test can assert that the dashboard loads nothing from elsewhere. Screenshots go to
 * `test-artifacts/screenshots/` (look at them).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Where the Debian package puts Chromium. */
export const CHROMIUM = process.env.ACP_CHROMIUM ?? "/usr/bin/chromium";

/** The flags the issue prescribes (the closed network refuses Chromium's own background connections). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
] as const;

/** Screenshots of the browser tests. */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, "../../test-artifacts/screenshots");

/** A launched browser with a fresh profile directory, and every request its contexts made. */
export interface TestBrowser {
  readonly browser: Browser;
  /** Every URL requested by any context (including refused ones). */
  readonly requests: string[];
  /** URLs refused because they were not on 127.0.0.1. */
  readonly offHost: string[];
  /** A new isolated context (its own cookies): one per signed-in person. */
  newContext(options?: { mobile?: boolean }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Whether a URL stays on this machine's loopback address (or is a data:/about: URL). */
function onLoopback(url: string): boolean {
  if (url.startsWith("data:") || url.startsWith("about:")) return true;
  try {
    return new URL(url).hostname === "127.0.0.1";
  } catch {
    return false;
  }
}

/** Launches Debian's Chromium headless with the prescribed flags and a fresh user-data dir. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install the Debian package (apt-get install chromium)`);
  }
  const profile = mkdtempSync(join(tmpdir(), "acp-chromium-"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, `--disk-cache-dir=${join(profile, "cache")}`],
    env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
  });
  const requests: string[] = [];
  const offHost: string[] = [];
  return {
    browser,
    requests,
    offHost,
    async newContext(options = {}) {
      const context = await browser.newContext(
        options.mobile
          ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
          : { viewport: { width: 1280, height: 860 } },
      );
      await context.route("**/*", (route) => {
        const url = route.request().url();
        requests.push(url);
        if (onLoopback(url)) return route.continue();
        offHost.push(url);
        return route.abort("blockedbyclient");
      });
      return context;
    },
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in on the dashboard at `url` with `token` (the sign-in form), landing on `next` (default `/`). */
export async function signIn(page: Page, url: string, token: string, next = "/"): Promise<void> {
  await page.goto(`${url}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === next.split("?")[0]);
}

/** Saves a full-page screenshot as `test-artifacts/screenshots/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
