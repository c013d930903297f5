import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { ControlPlaneError, HTTP_STATUS_BY_CODE } from "../errors/control-plane-error.js";
import { ValidationError } from "../errors/validation-error.js";
import { ErrorBox, IssueList } from "./components.js";
import { Layout, type LayoutProps } from "./layout.js";
import type { UiEnv } from "./ui-context.js";

/** What a page passes to {@link renderPage}: the layout's props without what the request already knows. */
export type PageProps = Omit<LayoutProps, "principal" | "csrf" | "children" | "notice" | "streamAfter">;

/**
 * The seal of a notice for one sign-in (HMAC under its secret CSRF token): only the dashboard's own redirect
 * can make it, so a link crafted elsewhere cannot put words on a page.
 */
function noticeSeal(csrf: string, notice: string): string {
  return createHmac("sha256", csrf).update(notice, "utf8").digest("base64url").slice(0, 22);
}

/** The `?notice=` of the request when its seal `n` was made for this sign-in, else undefined. */
function sealedNotice(c: Context<UiEnv>): string | undefined {
  const notice = c.req.query("notice");
  const seal = c.req.query("n");
  const csrf = c.get("csrf");
  if (!notice || seal === undefined || csrf === undefined) return undefined;
  const want = Buffer.from(noticeSeal(csrf, notice));
  const got = Buffer.from(seal);
  return got.length === want.length && timingSafeEqual(got, want) ? notice : undefined;
}

/**
 * Answers a full page in the layout, for the signed-in principal, with the `?notice=` message of a redirect
 * after an action (see {@link redirectWithNotice}; a notice without its seal is not shown).
 */
export function renderPage(c: Context<UiEnv>, props: PageProps, body: Child, status = 200): Response {
  const notice = sealedNotice(c);
  const html = (
    <Layout
      {...props}
      principal={c.get("principal")}
      csrf={c.get("csrf")}
      {...(notice ? { notice: notice.slice(0, 300) } : {})}
      {...(c.get("feedHead") !== undefined ? { streamAfter: c.get("feedHead") } : {})}
    >
      {body}
    </Layout>
  );
  return c.html(`<!doctype html>${html}`, status as 200);
}

/** Answers an HTML fragment (for htmx swaps), without the layout. */
export function renderFragment(c: Context, body: Child, status = 200): Response {
  return c.html(String(<>{body}</>), status as 200);
}

/**
 * Post/Redirect/Get after an action: 303 to `path` with a `notice` shown on the next page. `path` is a local
 * path of the dashboard (it may carry its own query). The notice is sealed for the signed-in session (`n`).
 */
export function redirectWithNotice(c: Context, path: string, notice: string): Response {
  const sep = path.includes("?") ? "&" : "?";
  const csrf = (c as Context<UiEnv>).get("csrf") ?? "";
  const seal = noticeSeal(csrf, notice);
  return c.redirect(`${path}${sep}notice=${encodeURIComponent(notice)}&n=${seal}`, 303);
}

/**
 * The dashboard's error page: the message of a {@link ControlPlaneError} (with each bad field of a
 * validation error) under the status of its code; anything else is a 500 without detail.
 */
export function renderError(c: Context<UiEnv>, error: unknown, onFault?: (error: unknown) => void): Response {
  if (!(error instanceof ControlPlaneError)) onFault?.(error);
  const known = error instanceof ControlPlaneError;
  const status = known ? HTTP_STATUS_BY_CODE[error.code] : 500;
  const message = known ? error.message : "internal error: see the server log";
  const issues = error instanceof ValidationError ? error.issues : [];
  const body = (
    <ErrorBox message={message}>
      {issues.length > 0 ? <IssueList issues={issues} /> : null}
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </ErrorBox>
  );
  const title =
    status === 403 ? "Not allowed" : status === 404 ? "Not found" : status < 500 ? "Cannot do that" : "Error";
  const html = (
    <Layout title={title} principal={c.get("principal")} csrf={c.get("csrf")}>
      {body}
    </Layout>
  );
  return c.html(`<!doctype html>${html}`, status as 500);
}
