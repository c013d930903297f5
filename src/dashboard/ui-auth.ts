import { timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { can, type Permission, type Principal } from "../auth/roles.js";
import { ControlPlaneError } from "../errors/control-plane-error.js";
import { SECURE_SESSION_COOKIE, SESSION_COOKIE, type UiSession, unsealSession } from "./session-cookie.js";
import type { UiDeps, UiEnv } from "./ui-context.js";

/** Methods that change nothing: no CSRF check. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The origin state-changing requests must come from: the configured public URL's, else the request's own. */
export function expectedOrigin(c: Context, deps: UiDeps): string {
  return deps.dashboard.publicUrl?.origin ?? new URL(c.req.url).origin;
}

/**
 * Refuses a cross-site request: an `Origin` other than the dashboard's, or `Sec-Fetch-Site: cross-site`.
 * (Browsers send `Origin` on every POST; its absence alone is not refused, the CSRF token still is checked.)
 */
export function isCrossSite(c: Context, deps: UiDeps): boolean {
  const origin = c.req.header("origin");
  if (origin !== undefined && origin !== expectedOrigin(c, deps)) return true;
  return c.req.header("sec-fetch-site") === "cross-site";
}

/** Whether the dashboard is reached over HTTPS: the configured public URL's scheme, else the request's. */
export function servedSecurely(c: Context, deps: UiDeps): boolean {
  return (deps.dashboard.publicUrl?.protocol ?? new URL(c.req.url).protocol) === "https:";
}

/** The session cookie's name here: `__Host-acp_session` over HTTPS, `acp_session` over plain HTTP. */
export function sessionCookieName(c: Context, deps: UiDeps): string {
  return servedSecurely(c, deps) ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The sign-in of a request as it stands now: its session cookie opened (not forged, not expired at
 * `deps.now()`) and its credential authenticated again (a revoked or expired token gives `undefined`). The
 * principal may be an `agent`: callers refuse it. Used per request by {@link requireSignIn} and again by
 * long-lived answers (the live stream) so that a sign-in that ended stops them too.
 */
export async function currentSignIn(
  c: Context,
  deps: UiDeps,
): Promise<{ readonly session: UiSession; readonly principal: Principal } | undefined> {
  const cookie = getCookie(c, sessionCookieName(c, deps));
  const session =
    cookie === undefined ? undefined : unsealSession(cookie, deps.dashboard.cookieKey, deps.now());
  const principal = session === undefined ? undefined : await deps.auth.authenticate(session.credential);
  return session === undefined || principal === undefined ? undefined : { session, principal };
}

/**
 * Signs the request in from its session cookie: the sealed credential is authenticated again (a revoked or
 * expired token ends the sign-in at once) and `principal` and `csrf` are set. Without a valid sign-in a page
 * request is redirected to `/login` (an htmx request gets `HX-Redirect`), anything else answers 401.
 * A state-changing request must also be same-origin and carry the sign-in's CSRF token (`_csrf` form field or
 * `X-CSRF-Token` header), else 403. An `agent` token cannot use the dashboard (403).
 */
export function requireSignIn(deps: UiDeps): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const signIn = await currentSignIn(c, deps);
    if (signIn === undefined) {
      if (!SAFE_METHODS.has(c.req.method)) {
        throw new ControlPlaneError(
          "unauthorized",
          "not signed in (or the sign-in has ended): sign in again",
        );
      }
      const back = encodeURIComponent(c.req.path + (new URL(c.req.url).search || ""));
      const to = `/login?next=${back}`;
      if (c.req.header("hx-request") === "true") return c.body(null, 200, { "hx-redirect": to });
      return c.redirect(to, 303);
    }
    const { session, principal } = signIn;
    if (principal.role === "agent") {
      throw new ControlPlaneError(
        "forbidden",
        "an agent token cannot use the dashboard: sign in as a person",
      );
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      if (isCrossSite(c, deps)) {
        throw new ControlPlaneError("forbidden", "cross-site request refused");
      }
      const given = c.req.header("x-csrf-token") ?? (await readForm(c)).get("_csrf") ?? "";
      if (!sameToken(given, session.csrf)) {
        throw new ControlPlaneError(
          "forbidden",
          "missing or wrong CSRF token: reload the page and try again",
        );
      }
    }
    c.set("principal", principal);
    c.set("csrf", session.csrf);
    await next();
  };
}

/**
 * The principal of the request if it holds one of `permissions`, else a 403 naming what was needed. Pages
 * use {@link can} to decide what to show; every write handler calls this before acting.
 */
export function uiAuthorize(c: Context<UiEnv>, ...permissions: Permission[]): Principal {
  const principal = c.get("principal");
  if (permissions.some((p) => can(principal, p))) return principal;
  throw new ControlPlaneError(
    "forbidden",
    `role "${principal.role}" may not do this (needs ${permissions.join(" or ")})`,
    { details: { role: principal.role, needed: permissions } },
  );
}

/**
 * The request's form fields (`application/x-www-form-urlencoded`, as every dashboard form posts), read once
 * and cached on the context. Other bodies give no fields.
 */
export async function readForm(c: Context): Promise<URLSearchParams> {
  const cached = c.get("form" as never) as URLSearchParams | undefined;
  if (cached !== undefined) return cached;
  const type = c.req.header("content-type") ?? "";
  const form = /application\/x-www-form-urlencoded/i.test(type)
    ? new URLSearchParams(await c.req.text())
    : new URLSearchParams();
  c.set("form" as never, form as never);
  return form;
}
