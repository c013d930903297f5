import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Hono } from "hono";
import { DASHBOARD_CSS } from "./styles.js";

/** One shipped asset: its body, media type and content hash (the cache key in its URL). */
interface Asset {
  readonly body: string;
  readonly type: string;
  readonly hash: string;
}

const require = createRequire(import.meta.url);

function asset(body: string, type: string): Asset {
  return { body, type, hash: createHash("sha256").update(body).digest("hex").slice(0, 12) };
}

/**
 * The dashboard's assets, all served by the dashboard itself (no CDN; nothing leaves the machine): htmx and its
 * SSE extension from their npm packages (dependencies of this one), and the stylesheet.
 */
const ASSETS = {
  "htmx.min.js": asset(readFileSync(require.resolve("htmx.org/dist/htmx.min.js"), "utf8"), "text/javascript"),
  "sse.min.js": asset(
    readFileSync(require.resolve("htmx-ext-sse/dist/sse.min.js"), "utf8"),
    "text/javascript",
  ),
  "dashboard.css": asset(DASHBOARD_CSS, "text/css"),
} as const;

/** Where each asset is linked from: the name plus its content hash, so an upgrade is never served stale. */
export const ASSET_PATHS = {
  htmx: `/assets/htmx.min.js?v=${ASSETS["htmx.min.js"].hash}`,
  sse: `/assets/sse.min.js?v=${ASSETS["sse.min.js"].hash}`,
  css: `/assets/dashboard.css?v=${ASSETS["dashboard.css"].hash}`,
} as const;

/** Bytes of every asset a page loads (reported as the page weight in the docs). */
export const ASSET_BYTES = Object.values(ASSETS).reduce((n, a) => n + Buffer.byteLength(a.body), 0);

/** Serves `/assets/<name>` (public, cached for a year: the URL changes with the content). */
export function registerAssets(app: Hono<never>): void {
  app.get("/assets/:name", (c) => {
    const found = ASSETS[c.req.param("name") as keyof typeof ASSETS];
    if (found === undefined) return c.text("no such asset", 404);
    if (c.req.header("if-none-match") === `"${found.hash}"`) return c.body(null, 304);
    return c.body(found.body, 200, {
      "content-type": `${found.type}; charset=utf-8`,
      "cache-control": "public, max-age=31536000, immutable",
      etag: `"${found.hash}"`,
    });
  });
}
