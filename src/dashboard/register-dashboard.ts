import { Hono, type MiddlewareHandler } from "hono";
import type { HttpDeps, HttpRouter } from "../http/context.js";
import { registerAssets } from "./assets.js";
import { type DashboardOptions, resolveDashboardOptions } from "./dashboard-options.js";
import { registerAgentPages } from "./pages/agents.js";
import { registerApprovalPages } from "./pages/approvals.js";
import { registerAttentionPages } from "./pages/attention.js";
import { registerAuditPages } from "./pages/audit.js";
import { registerKillPages } from "./pages/kill.js";
import { registerLoginPages, registerLogout } from "./pages/login.js";
import { registerPolicyPages } from "./pages/policy.js";
import { registerSessionPages } from "./pages/sessions.js";
import { renderError } from "./render.js";
import { requireSignIn } from "./ui-auth.js";
import type { UiDeps, UiEnv } from "./ui-context.js";
import { registerUiStream } from "./ui-stream.js";

/**
 * Content-Security-Policy of every dashboard answer: only this origin's scripts, styles and connections; no
 * inline script or style, no frames, forms post only here.
 */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Whether a path belongs to the API (the dashboard's middleware leaves it alone). */
function isApiPath(path: string): boolean {
  return path === "/v1" || path.startsWith("/v1/");
}

/** Runs `mw` on the dashboard's paths only (the mounted sub-app's middleware would otherwise see API paths). */
function onDashboardPaths(mw: MiddlewareHandler<UiEnv>): MiddlewareHandler<UiEnv> {
  return (c, next) => (isApiPath(c.req.path) ? next() : mw(c, next));
}

/** Paths that answer no page (fragments, the stream, downloads): they need no feed head. */
const NOT_A_PAGE = /^\/(fragments|ui|assets)\/|\.jsonl$/;

/**
 * For a page load (a GET of a page, boosted or not), notes the feed's head before the page reads anything, so
 * that the page's live connection starts exactly there (see `UiEnv` `feedHead`).
 */
function rememberFeedHead(deps: UiDeps): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    if (c.req.method === "GET" && !NOT_A_PAGE.test(c.req.path)) {
      c.set("feedHead", await deps.controlPlane.feedHead());
    }
    await next();
  };
}

/**
 * Mounts the operator dashboard on `app` at `/`: assets and sign-in are public; every other page requires a
 * sign-in (session cookie) and every write the CSRF token. Call after every other route is registered (it
 * answers the paths nothing else did). Pages call the facade; what a role may do is the permission table's.
 */
export function registerDashboard(app: HttpRouter, deps: HttpDeps, options?: DashboardOptions): void {
  const uiDeps: UiDeps = { ...deps, dashboard: resolveDashboardOptions(options) };
  const ui = new Hono<UiEnv>();
  ui.onError((error, c) => renderError(c, error, deps.onFault));
  ui.use(
    "*",
    onDashboardPaths(async (c, next) => {
      await next();
      c.header("content-security-policy", CSP);
      c.header("x-frame-options", "DENY");
      c.header("x-content-type-options", "nosniff");
      c.header("referrer-policy", "same-origin");
      if (!c.req.path.startsWith("/assets/")) c.header("cache-control", "no-store");
    }),
  );
  registerAssets(ui as never);
  registerLoginPages(ui, uiDeps);
  ui.use("*", onDashboardPaths(requireSignIn(uiDeps)));
  ui.use("*", onDashboardPaths(rememberFeedHead(uiDeps)));
  registerLogout(ui, uiDeps);
  registerUiStream(ui, uiDeps);
  registerApprovalPages(ui, uiDeps);
  registerSessionPages(ui, uiDeps);
  registerAgentPages(ui, uiDeps);
  registerKillPages(ui, uiDeps);
  registerAuditPages(ui, uiDeps);
  registerPolicyPages(ui, uiDeps);
  registerAttentionPages(ui, uiDeps);
  app.route("/", ui as never);
}
