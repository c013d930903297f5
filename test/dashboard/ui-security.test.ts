/**
 * The dashboard's frame under attack, in-process: where a sign-in may send the browser afterwards (no open
 * redirect, even with the tab and newline browsers drop from URLs), forged writes in every method and body
 * type, private answers never cached nor framed, agent tokens and forged cookies refused, a fresh cookie per
 * sign-in. (A revoked token's sign-in and the live stream: ui-sign-in-end.test.ts.)
 */
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createStaticAuth } from "../../src/auth/static-auth.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { sealSession } from "../../src/dashboard/session-cookie.js";
import { createHttpApp } from "../../src/http/create-http-app.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { TEST_POLICY, testClock } from "../support/control-plane-fixture.js";
import { TEST_TOKENS, TOKENS } from "../support/http-server.js";
import { type Handler, startUi, type UiApp, uiSignIn } from "./approvals-support.js";

const BASE = "http://127.0.0.1:9";
const SECRET = "a-test-cookie-secret-of-32-chars!!";

/** Posts `/login` with `token` and `next`; the answer. */
async function login(handle: Handler, token: string, next: string): Promise<Response> {
  return await handle(
    new Request(`${BASE}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE },
      body: new URLSearchParams({ token, next }).toString(),
    }),
  );
}

describe("sign-in: where it sends the browser", () => {
  let ui: UiApp;
  afterEach(async () => {
    await ui?.close();
  });

  it.each([
    ["//evil.example/x"],
    ["/\\evil.example/x"],
    ["/\t/evil.example/x"],
    ["/\n/evil.example/x"],
    ["/\r\n/evil.example/x"],
    ["\t//evil.example/x"],
    [" /\t\\evil.example"],
    ["https://evil.example/"],
    ["javascript:alert(1)"],
  ])("next=%j stays on the dashboard", async (next) => {
    ui = await startUi();
    const res = await login(ui.handle, TOKENS.approver, next);
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    expect(location).not.toMatch(/[\t\n\r\\]/);
    expect(new URL(location, BASE).origin).toBe(BASE);
    // The sign-in page's hidden field keeps only a safe target as well.
    const page = await (
      await ui.handle(new Request(`${BASE}/login?next=${encodeURIComponent(next)}`))
    ).text();
    const kept = /name="next" value="([^"]*)"/.exec(page)![1]!;
    expect(new URL(kept.replaceAll("&amp;", "&"), BASE).origin).toBe(BASE);
    expect(kept).not.toMatch(/[\t\n\r\\]/);
  });

  it("a local next with a query is kept", async () => {
    ui = await startUi();
    const res = await login(ui.handle, TOKENS.approver, "/attention?x=1#top");
    expect(res.headers.get("location")).toBe("/attention?x=1#top");
  });
});

describe("forged writes", () => {
  let ui: UiApp;
  let ticketId: string;
  afterEach(async () => {
    await ui?.close();
  });
  async function setup() {
    ui = await startUi();
    const session = await ui.cp.openSession({ agentId: "agent-a" });
    const d = await ui.cp.propose({ sessionId: session.id, action: "deploy", resourceId: "svc" });
    ticketId = (d as { ticketId: string }).ticketId;
    return uiSignIn(ui.handle, TOKENS.approver);
  }

  it("every unsafe method and body type without the token: 403, the ticket stays pending", async () => {
    const alice = await setup();
    const bodies: [string, string][] = [
      ["text/plain", "scope=once"],
      ["text/plain; x=application/x-www-form-urlencoded", "scope=once"],
      [
        "multipart/form-data; boundary=b",
        '--b\r\nContent-Disposition: form-data; name="scope"\r\n\r\nonce\r\n--b--\r\n',
      ],
      ["application/json", '{"scope":"once"}'],
    ];
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      for (const [type, body] of bodies) {
        const res = await ui.handle(
          new Request(`${BASE}/tickets/${ticketId}/approve`, {
            method,
            headers: { cookie: alice.cookie, origin: BASE, "content-type": type },
            body,
          }),
        );
        expect(res.status, `${method} ${type}`).toBe(403);
      }
    }
    // A token in a body the dashboard does not read as a form (multipart) does not count either.
    const multipart = await ui.handle(
      new Request(`${BASE}/tickets/${ticketId}/approve`, {
        method: "POST",
        headers: { cookie: alice.cookie, origin: BASE, "content-type": "multipart/form-data; boundary=b" },
        body: `--b\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${alice.csrf}\r\n--b--\r\n`,
      }),
    );
    expect(multipart.status).toBe(403);
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      const res = await ui.handle(
        new Request(`${BASE}/tickets/${ticketId}/approve?scope=once`, {
          method,
          headers: { cookie: alice.cookie },
        }),
      );
      expect(res.status, method).toBe(404);
    }
    expect((await ui.cp.getTicket(ticketId)).status).toBe("pending");
  });

  it("sign-out needs the token too (no forced sign-out)", async () => {
    const alice = await setup();
    const res = await alice.post("/logout", { _csrf: "wrong" });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});

describe("private answers: never cached, never framed", () => {
  let ui: UiApp;
  afterEach(async () => {
    await ui?.close();
  });

  it("pages, fragments, errors, refusals, redirects and the sign-in page", async () => {
    ui = await startUi();
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    const answers = [
      await alice.get("/"),
      await alice.get("/fragments/inbox"),
      await alice.get("/tickets/no-such-ticket"),
      await alice.get("/no/such/page"),
      await alice.get("/ui/stream?kind=nonsense"),
      await alice.post("/tickets/x/approve", { _csrf: "wrong" }),
      await alice.post("/tickets/no-such-ticket/deny", { reason: "r" }),
    ];
    for (const path of ["/", "/login", "/attention?notice=x"]) {
      const res = await ui.handle(new Request(BASE + path));
      answers.push({ status: res.status, location: null, headers: res.headers, text: await res.text() });
    }
    const refused = await login(ui.handle, "wrong-token", "/");
    answers.push({ status: refused.status, location: null, headers: refused.headers, text: "" });
    for (const a of answers) {
      const what = `${a.status} ${a.text.slice(0, 80)}`;
      expect(a.headers.get("cache-control"), what).toBe("no-store");
      expect(a.headers.get("x-frame-options"), what).toBe("DENY");
      expect(a.headers.get("content-security-policy"), what).toContain("frame-ancestors 'none'");
      expect(a.headers.get("x-content-type-options"), what).toBe("nosniff");
    }
  });
});

describe("who may hold a sign-in", () => {
  let ui: UiApp;
  afterEach(async () => {
    await ui?.close();
  });

  it("an agent token: refused at sign-in, and a cookie sealed around one is refused too", async () => {
    ui = await startUi();
    const res = await login(ui.handle, TOKENS.agentA, "/");
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
    // Someone holding the cookie secret seals an agent token into a cookie: still no dashboard.
    const storage = createMemoryStorage();
    const cp = await createControlPlane({ storage, policy: TEST_POLICY as never, clock: testClock() });
    const app = createHttpApp({
      controlPlane: cp,
      auth: createStaticAuth(TEST_TOKENS),
      dashboard: { cookieSecret: SECRET },
    });
    const key = createHash("sha256").update(`acp-dashboard-cookie\0${SECRET}`).digest();
    const cookie = `acp_session=${sealSession({ credential: TOKENS.agentA, csrf: "c", expiresAt: Date.now() + 60_000 }, key)}`;
    const page = await app.fetch(new Request(`${BASE}/`, { headers: { cookie } }));
    expect(page.status).toBe(403);
    expect(await page.text()).not.toContain("pending approval");
    // A cookie sealed under another key (or tampered with) is no sign-in at all.
    const forged = `acp_session=${sealSession({ credential: TOKENS.admin, csrf: "c", expiresAt: Date.now() + 60_000 }, Buffer.alloc(32))}`;
    const answer = await app.fetch(new Request(`${BASE}/`, { headers: { cookie: forged } }));
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/login?next=%2F");
    app.close();
    await cp.close();
    await storage.close();
  });

  it("each sign-in gets a fresh cookie and CSRF token (nothing carried over from a planted cookie)", async () => {
    ui = await startUi();
    const a = await uiSignIn(ui.handle, TOKENS.approver);
    const b = await uiSignIn(ui.handle, TOKENS.approver);
    expect(a.cookie).not.toBe(b.cookie);
    expect(a.csrf).not.toBe(b.csrf);
  });
});

describe("HEAD /ui/stream", () => {
  it("answers the headers and starts no stream (nothing left running for nobody to read)", async () => {
    const cp = await createControlPlane({
      storage: createMemoryStorage(),
      policy: TEST_POLICY as never,
      clock: testClock(),
    });
    const inner = createStaticAuth(TEST_TOKENS);
    let calls = 0;
    const app = createHttpApp({
      controlPlane: cp,
      auth: {
        authenticate: (t) => {
          calls++;
          return inner.authenticate(t);
        },
      },
      sse: { pollIntervalMs: 5, keepAliveMs: 10 },
      dashboard: true,
    });
    const victor = await uiSignIn((r) => app.fetch(r), TOKENS.viewer);
    for (let i = 0; i < 3; i++) {
      const res = await app.fetch(
        new Request(`${BASE}/ui/stream`, { method: "HEAD", headers: { cookie: victor.cookie } }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/event-stream");
    }
    const after = calls;
    // A running stream checks the sign-in before each batch: events and keep-alives would call the authenticator.
    await cp.openSession({ name: "while-nobody-reads" });
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(after);
    app.close();
    await cp.close();
  });
});
