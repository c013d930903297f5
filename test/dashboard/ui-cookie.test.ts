/**
 * Behind HTTPS the session cookie is `__Host-acp_session` (Secure, Path=/, no Domain): a browser refuses such a
 * cookie from a sibling subdomain or from plain HTTP, so nobody can plant a sign-in of their own in an
 * operator's browser (cookie tossing); a cookie under the plain name is not read there.
 */
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createStaticAuth } from "../../src/auth/static-auth.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { sealSession } from "../../src/dashboard/session-cookie.js";
import { createHttpApp, type HttpApp } from "../../src/http/create-http-app.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { TEST_POLICY, testClock } from "../support/control-plane-fixture.js";
import { TEST_TOKENS, TOKENS } from "../support/http-server.js";

const SECRET = "a-test-cookie-secret-of-32-chars!!";
const HTTPS = "https://acp.example";

describe("session cookie behind HTTPS", () => {
  let cp: ControlPlane;
  let app: HttpApp;
  afterEach(async () => {
    app?.close();
    await cp?.close();
  });

  async function start(publicUrl?: string) {
    cp = await createControlPlane({
      storage: createMemoryStorage(),
      policy: TEST_POLICY as never,
      clock: testClock(),
    });
    app = createHttpApp({
      controlPlane: cp,
      auth: createStaticAuth(TEST_TOKENS),
      dashboard: { cookieSecret: SECRET, ...(publicUrl ? { publicUrl } : {}) },
    });
  }
  const signIn = (base: string) =>
    app.fetch(
      new Request(`${base}/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
        body: new URLSearchParams({ token: TOKENS.approver, next: "/" }).toString(),
      }),
    );

  it("is set as __Host-acp_session, Secure, Path=/, without Domain, and read back", async () => {
    await start(HTTPS);
    const res = await signIn(HTTPS);
    expect(res.status).toBe(303);
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^__Host-acp_session=/);
    expect(setCookie).toMatch(/; Secure/i);
    expect(setCookie).toMatch(/; Path=\//i);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    expect(setCookie).not.toMatch(/Domain=/i);
    const cookie = setCookie.split(";")[0]!;
    const page = await app.fetch(new Request(`${HTTPS}/`, { headers: { cookie } }));
    expect(page.status).toBe(200);
  });

  it("a cookie planted under the plain name is no sign-in there", async () => {
    await start(HTTPS);
    const key = createHash("sha256").update(`acp-dashboard-cookie\0${SECRET}`).digest();
    const sealed = sealSession(
      { credential: TOKENS.viewer, csrf: "known", expiresAt: Date.now() + 60_000 },
      key,
    );
    const page = await app.fetch(new Request(`${HTTPS}/`, { headers: { cookie: `acp_session=${sealed}` } }));
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toMatch(/^\/login/);
  });

  it("over plain HTTP (a local dashboard) it keeps the plain name", async () => {
    await start();
    const res = await signIn("http://127.0.0.1:9");
    expect(res.headers.get("set-cookie")).toMatch(/^acp_session=/);
    expect(res.headers.get("set-cookie")).not.toMatch(/; Secure/i);
  });

  it("sign-out clears the cookie under its own name", async () => {
    await start(HTTPS);
    const cookie = (await signIn(HTTPS)).headers.get("set-cookie")!.split(";")[0]!;
    const home = await (await app.fetch(new Request(`${HTTPS}/`, { headers: { cookie } }))).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home)![1]!;
    const out = await app.fetch(
      new Request(`${HTTPS}/logout`, {
        method: "POST",
        headers: { cookie, origin: HTTPS, "content-type": "application/x-www-form-urlencoded" },
        body: `_csrf=${encodeURIComponent(csrf)}`,
      }),
    );
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/^__Host-acp_session=;.*Max-Age=0/i);
    expect(out.headers.get("set-cookie")).toMatch(/; Secure/i);
  });
});
