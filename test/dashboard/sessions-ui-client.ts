/**
 * A signed-in dashboard client over plain `fetch` for the in-process tests of the sessions, agents and kill
 * switch pages: signs in through `POST /login`, keeps the session cookie and posts forms with the CSRF token.
 */

/** A signed-in dashboard user. */
export interface UiClient {
  /** `GET path` with the session cookie (redirects are not followed). */
  get(path: string): Promise<Response>;
  /** Posts `fields` as a form with the CSRF token (redirects are not followed). */
  post(path: string, fields: Record<string, string>): Promise<Response>;
}

/** Signs in at `url` with `token`. */
export async function signInClient(url: string, token: string): Promise<UiClient> {
  const login = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: url },
    body: new URLSearchParams({ token, next: "/" }),
  });
  if (login.status !== 303) throw new Error(`sign-in failed: HTTP ${login.status}`);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const page = await (await fetch(`${url}/kill`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (csrf === undefined) throw new Error("no CSRF token on the page");
  return {
    get: (path) => fetch(url + path, { headers: { cookie }, redirect: "manual" }),
    post: (path, fields) =>
      fetch(url + path, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, origin: url, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: csrf, ...fields }),
      }),
  };
}
