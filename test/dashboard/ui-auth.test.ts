/**
 * The dashboard's sign-in, cookie and CSRF rules, in process (`app.fetch`): what a browser test would take
 * seconds to show, each case here takes milliseconds.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createStaticAuth } from "../../src/auth/static-auth.js";
import { createTokenAuth } from "../../src/auth/token-auth.js";
import { createTokenService } from "../../src/auth/token-service.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { resolveDashboardOptions } from "../../src/dashboard/dashboard-options.js";
import { sealSession, unsealSession } from "../../src/dashboard/session-cookie.js";
import { createHttpApp, type HttpApp } from "../../src/http/create-http-app.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { TEST_TOKENS, TOKENS } from "../support/http-server.js";

const BASE = "http://127.0.0.1:7400";
const FORM = { "content-type": "application/x-www-form-urlencoded", origin: BASE };

const planes: ControlPlane[] = [];
afterEach(async () => {
  for (const cp of planes.splice(0)) await cp.close();
});

async function dashboardApp(dashboard: Record<string, unknown> = {}, storage = createMemoryStorage()) {
  const cp = await createControlPlane({ storage, policy: TEST_POLICY });
  planes.push(cp);
  return createHttpApp({ controlPlane: cp, auth: createStaticAuth(TEST_TOKENS), dashboard });
}

const get = (app: HttpApp, path: string, headers: Record<string, string> = {}) =>
  app.fetch(new Request(BASE + path, { headers }));
const post = (
  app: HttpApp,
  path: string,
  body: Record<string, string>,
  headers: Record<string, string> = {},
) =>
  app.fetch(
    new Request(BASE + path, {
      method: "POST",
      body: new URLSearchParams(body),
      headers: { ...FORM, ...headers },
    }),
  );

/** Signs in with `token`; returns the cookie header to send and the sign-in's CSRF token (read from a page). */
async function signIn(app: HttpApp, token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await post(app, "/login", { token, next: "/" });
  expect(res.status).toBe(303);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const page = await (await get(app, "/sessions", { cookie })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  return { cookie, csrf };
}

describe("session cookie seal", () => {
  const key = resolveDashboardOptions({ cookieSecret: "k".repeat(32) }).cookieKey;
  const session = { credential: "tok", csrf: "c", expiresAt: 2_000 };

  it("opens what it sealed, and nothing tampered, foreign-keyed or expired", () => {
    const sealed = sealSession(session, key);
    expect(unsealSession(sealed, key, 1_000)).toEqual(session);
    expect(sealed).not.toContain("tok");
    const bytes = Buffer.from(sealed, "base64url");
    bytes[bytes.length - 1]! ^= 1;
    expect(unsealSession(bytes.toString("base64url"), key, 1_000)).toBeUndefined();
    const other = resolveDashboardOptions({ cookieSecret: "o".repeat(32) }).cookieKey;
    expect(unsealSession(sealed, other, 1_000)).toBeUndefined();
    expect(unsealSession(sealed, key, 2_000)).toBeUndefined();
    expect(unsealSession("garbage", key, 1_000)).toBeUndefined();
  });

  it("refuses bad dashboard options naming the field", () => {
    expect(() => resolveDashboardOptions({ cookieSecret: "short" })).toThrow(/dashboard\.cookieSecret/);
    expect(() => resolveDashboardOptions({ publicUrl: "ftp://x" })).toThrow(/dashboard\.publicUrl/);
    expect(() => resolveDashboardOptions({ sessionTtlMs: 5 })).toThrow(/dashboard\.sessionTtlMs/);
    expect(() => resolveDashboardOptions({ cookieSecrets: "x" } as never)).toThrow(/cookieSecrets/);
  });
});

describe("dashboard sign-in", () => {
  it("sends a page request without a sign-in to /login, keeping where it was going", async () => {
    const app = await dashboardApp();
    const res = await get(app, "/sessions?status=active");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?next=%2Fsessions%3Fstatus%3Dactive");
    const htmx = await get(app, "/sessions", { "hx-request": "true" });
    expect(htmx.headers.get("hx-redirect")).toBe("/login?next=%2Fsessions");
    expect((await get(app, "/login")).status).toBe(200);
  });

  it("sets an HttpOnly SameSite=Strict cookie (Secure behind an https public URL) and never redirects off-site", async () => {
    const app = await dashboardApp();
    const res = await post(app, "/login", { token: TOKENS.viewer, next: "/audit" });
    expect(res.headers.get("location")).toBe("/audit");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^acp_session=[^;]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(TOKENS.viewer);
    for (const next of ["//evil.example/", "https://evil.example/", "/\\evil.example"]) {
      const r = await post(app, "/login", { token: TOKENS.viewer, next });
      expect(r.headers.get("location")).toBe("/");
    }
    const secure = await dashboardApp({ publicUrl: "https://acp.example.com" });
    const s = await post(secure, "/login", { token: TOKENS.viewer }, { origin: "https://acp.example.com" });
    expect(s.headers.get("set-cookie")).toContain("; Secure");
  });

  it("refuses a wrong token, an agent token and a cross-site sign-in without setting a cookie", async () => {
    const app = await dashboardApp();
    const wrong = await post(app, "/login", { token: "nope" });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("not valid");
    const agent = await post(app, "/login", { token: TOKENS.agentA });
    expect(agent.status).toBe(403);
    const cross = await post(app, "/login", { token: TOKENS.admin }, { origin: "http://evil.example" });
    expect(cross.status).toBe(403);
    for (const r of [wrong, agent, cross]) expect(r.headers.get("set-cookie")).toBeNull();
  });

  it("a cookie sealed by another server (another secret) is no sign-in", async () => {
    const a = await dashboardApp({ cookieSecret: "a".repeat(32) });
    const b = await dashboardApp({ cookieSecret: "b".repeat(32) });
    const { cookie } = await signIn(a, TOKENS.admin);
    expect((await get(a, "/sessions", { cookie })).status).toBe(200);
    expect((await get(b, "/sessions", { cookie })).status).toBe(303);
  });

  it("a revoked token ends its sign-in at once", async () => {
    const storage = createMemoryStorage();
    const cp = await createControlPlane({ storage, policy: TEST_POLICY });
    planes.push(cp);
    const tokens = createTokenService({ storage });
    const created = await tokens.create({ role: "operator", name: "olivia" });
    const app = createHttpApp({
      controlPlane: cp,
      auth: createTokenAuth({ storage }),
      tokens,
      dashboard: true,
    });
    const { cookie } = await signIn(app, created.token);
    expect((await get(app, "/sessions", { cookie })).status).toBe(200);
    await tokens.revoke(created.record.id);
    const after = await get(app, "/sessions", { cookie });
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toMatch(/^\/login/);
  });
});

describe("dashboard CSRF", () => {
  it("refuses a write without the sign-in's CSRF token, or from another origin, and accepts it with both", async () => {
    const app = await dashboardApp();
    const { cookie, csrf } = await signIn(app, TOKENS.admin);
    const none = await post(app, "/logout", {}, { cookie });
    expect(none.status).toBe(403);
    expect(await none.text()).toContain("CSRF");
    const wrong = await post(app, "/logout", { _csrf: "x".repeat(43) }, { cookie });
    expect(wrong.status).toBe(403);
    const cross = await post(app, "/logout", { _csrf: csrf }, { cookie, origin: "http://127.0.0.1:9999" });
    expect(cross.status).toBe(403);
    expect(await cross.text()).toContain("cross-site");
    const fetchSite = await post(app, "/logout", { _csrf: csrf }, { cookie, "sec-fetch-site": "cross-site" });
    expect(fetchSite.status).toBe(403);
    const header = await app.fetch(
      new Request(`${BASE}/logout`, {
        method: "POST",
        headers: { cookie, origin: BASE, "x-csrf-token": csrf },
      }),
    );
    expect(header.status).toBe(303);
    const ok = await post(app, "/logout", { _csrf: csrf }, { cookie });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("set-cookie")).toMatch(/^acp_session=;/);
  });

  it("answers a write without any sign-in with 401", async () => {
    const app = await dashboardApp();
    expect((await post(app, "/logout", {})).status).toBe(401);
  });
});

describe("dashboard serving", () => {
  it("sends its security headers, leaves the API's paths to the API, and serves its assets cacheably", async () => {
    const app = await dashboardApp();
    const login = await get(app, "/login");
    expect(login.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(login.headers.get("x-frame-options")).toBe("DENY");
    expect(login.headers.get("cache-control")).toBe("no-store");
    const api = await get(app, "/v1/nothing-here");
    expect(api.status).toBe(401);
    const apiMissing = await get(app, "/v1/nothing-here", { authorization: `Bearer ${TOKENS.admin}` });
    expect(apiMissing.status).toBe(404);
    expect(await apiMissing.json()).toMatchObject({ details: { code: "not_found" } });
    expect((await get(app, "/healthz")).status).toBe(200);
    const html = await login.text();
    const src = /src="(\/assets\/htmx\.min\.js\?v=[0-9a-f]+)"/.exec(html)![1]!;
    const asset = await get(app, src);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    const etag = asset.headers.get("etag")!;
    expect((await get(app, src, { "if-none-match": etag })).status).toBe(304);
    expect((await get(app, "/assets/nope.js")).status).toBe(404);
  });

  it("is off unless asked for", async () => {
    const cp = await createControlPlane({ storage: createMemoryStorage(), policy: TEST_POLICY });
    planes.push(cp);
    const app = createHttpApp({ controlPlane: cp, auth: createStaticAuth(TEST_TOKENS) });
    const res = await get(app, "/login");
    expect(res.status).toBe(404);
  });
});
