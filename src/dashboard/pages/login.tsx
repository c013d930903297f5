import { deleteCookie, setCookie } from "hono/cookie";
import { ControlPlaneError } from "../../errors/control-plane-error.js";
import { ErrorBox } from "../components.js";
import { Layout } from "../layout.js";
import { newCsrfToken, sealSession } from "../session-cookie.js";
import { isCrossSite, readForm, servedSecurely, sessionCookieName } from "../ui-auth.js";
import type { UiDeps, UiRouter } from "../ui-context.js";

const HERE = "http://dashboard.invalid";

/**
 * Only a local path of the dashboard may be the target after sign-in (no open redirect). The target is
 * resolved the way a browser resolves it (which drops tabs and newlines and reads `\` as `/`, so that
 * `/<tab>/evil.example` means `//evil.example`) and kept only when it stays on this origin, in its normalised
 * form.
 */
function safeNext(next: string | undefined): string {
  if (next === undefined) return "/";
  try {
    const url = new URL(next, HERE);
    return url.origin === HERE ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
}

function LoginPage(props: { next: string; error?: string }) {
  return (
    <Layout title="Sign in">
      {props.error ? <ErrorBox message={props.error} /> : null}
      <form method="post" action="/login" class="card">
        <input type="hidden" name="next" value={props.next} />
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
        <p class="muted">
          A token of role viewer, approver, operator or admin (<code>acp tokens create --role approver</code>
          ).
        </p>
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </Layout>
  );
}

/**
 * `GET /login`, `POST /login` (a token in, an HttpOnly SameSite=Strict session cookie out) and `POST /logout`.
 * The token is checked by the server's authenticator; agent tokens are refused.
 */
export function registerLoginPages(ui: UiRouter, deps: UiDeps): void {
  ui.get("/login", (c) => c.html(`<!doctype html>${<LoginPage next={safeNext(c.req.query("next"))} />}`));
  ui.post("/login", async (c) => {
    if (isCrossSite(c, deps)) throw new ControlPlaneError("forbidden", "cross-site sign-in refused");
    const form = await readForm(c);
    const next = safeNext(form.get("next") ?? undefined);
    const token = (form.get("token") ?? "").trim();
    const principal = token === "" ? undefined : await deps.auth.authenticate(token);
    const refuse = (message: string, status: 401 | 403) =>
      c.html(`<!doctype html>${<LoginPage next={next} error={message} />}`, status);
    if (principal === undefined) return refuse("That token is not valid (unknown, expired or revoked).", 401);
    if (principal.role === "agent") return refuse("An agent token cannot use the dashboard.", 403);
    const expiresAt = deps.now() + deps.dashboard.sessionTtlMs;
    setCookie(
      c,
      sessionCookieName(c, deps),
      sealSession({ credential: token, csrf: newCsrfToken(), expiresAt }, deps.dashboard.cookieKey),
      {
        httpOnly: true,
        sameSite: "Strict",
        path: "/",
        secure: servedSecurely(c, deps),
        maxAge: Math.floor(deps.dashboard.sessionTtlMs / 1000),
      },
    );
    return c.redirect(next, 303);
  });
}

/** `POST /logout` (signed-in, CSRF-checked like every write): clears the cookie. */
export function registerLogout(ui: UiRouter, deps: UiDeps): void {
  ui.post("/logout", (c) => {
    deleteCookie(c, sessionCookieName(c, deps), { path: "/", secure: servedSecurely(c, deps) });
    return c.redirect("/login", 303);
  });
}
