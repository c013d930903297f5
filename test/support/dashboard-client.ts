/**
 * A signed-in dashboard client without a browser, for the in-process and real-server tests of the dashboard's
 * pages: signs in through `POST /login` with a token, keeps the session cookie, reads the sign-in's CSRF token
 * from a page, and posts forms (`application/x-www-form-urlencoded`, same-origin) like a browser without
 * JavaScript. Redirects are never followed.
 */

/** Something that answers requests: `app.fetch` in process, or {@link serverHandler} for a real server. */
export type Handler = (request: Request) => Response | Promise<Response>;

/** A handler sending requests to a real server (the request's URL must be on it; redirects not followed). */
export const serverHandler: Handler = (request) => fetch(request, { redirect: "manual" });

/** A signed-in dashboard user. */
export interface DashboardClient {
  /** The sign-in's CSRF token. */
  readonly csrf: string;
  /** The `Cookie` header of the sign-in (for requests the client does not make itself). */
  readonly cookie: string;
  /** `GET path` with the session cookie. */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** Posts `fields` as a form with the CSRF token (unless `fields._csrf` is given) from the dashboard's origin. */
  post(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

/**
 * Signs in at `origin` (the dashboard's address: the real server's URL, or any for `app.fetch`) with `token`.
 * @throws when the sign-in is refused or no page carries a CSRF token.
 */
export async function signInDashboard(
  handle: Handler,
  token: string,
  origin = "http://127.0.0.1:7400",
): Promise<DashboardClient> {
  const form = { "content-type": "application/x-www-form-urlencoded", origin };
  const login = await handle(
    new Request(`${origin}/login`, {
      method: "POST",
      headers: form,
      body: new URLSearchParams({ token, next: "/" }).toString(),
    }),
  );
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (login.status !== 303 || !/^(__Host-)?acp_session=/.test(cookie)) {
    throw new Error(`dashboard sign-in refused: HTTP ${login.status}`);
  }
  const get = async (path: string, headers: Record<string, string> = {}) =>
    handle(new Request(origin + path, { headers: { cookie, ...headers } }));
  const page = await (await get("/policy")).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (csrf === undefined) throw new Error("no CSRF token on the dashboard's page");
  return {
    csrf,
    cookie,
    get,
    post: async (path, fields, headers = {}) =>
      handle(
        new Request(origin + path, {
          method: "POST",
          headers: { cookie, ...form, ...headers },
          body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
        }),
      ),
  };
}
