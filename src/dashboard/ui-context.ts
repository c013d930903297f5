import type { Hono } from "hono";
import type { Principal } from "../auth/roles.js";
import type { HttpDeps } from "../http/context.js";
import type { ResolvedDashboardOptions } from "./dashboard-options.js";

/** What every dashboard page can reach: the HTTP app's dependencies plus the dashboard settings. */
export interface UiDeps extends HttpDeps {
  readonly dashboard: ResolvedDashboardOptions;
}

/** Hono environment of the dashboard: the signed-in principal and its CSRF token (set by `requireSignIn`). */
export interface UiEnv {
  Variables: {
    principal: Principal;
    csrf: string;
    /**
     * The feed's head when a page began rendering (set for page loads): the page's live connection starts
     * after it, so nothing committed between rendering and connecting is missed.
     */
    feedHead: number | undefined;
  };
}

/** The router the dashboard's pages register on. */
export type UiRouter = Hono<UiEnv>;
