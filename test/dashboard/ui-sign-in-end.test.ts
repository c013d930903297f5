/**
 * A sign-in ends at once when its token is revoked or expires, or when the sign-in itself runs out: pages
 * redirect to the sign-in page, writes answer 401, and the live stream `/ui/stream` (one long answer, signed
 * in once) stops by itself and sends no event after that.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createTokenAuth } from "../../src/auth/token-auth.js";
import { createTokenService, type TokenService } from "../../src/auth/token-service.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createHttpApp, type HttpApp } from "../../src/http/create-http-app.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { TEST_POLICY, type TestClock, testClock } from "../support/control-plane-fixture.js";
import { uiSignIn } from "./approvals-support.js";
import { parseSse } from "./html-scan.js";

const BASE = "http://127.0.0.1:9";

describe("a revoked or expired token ends the sign-in at once", () => {
  let cp: ControlPlane;
  let app: HttpApp;
  let tokens: TokenService;
  let clock: TestClock;
  let close: () => Promise<void>;
  afterEach(async () => {
    app?.close();
    await cp?.close();
    await close?.();
  });
  async function setup() {
    const storage = createMemoryStorage();
    close = () => storage.close();
    clock = testClock(Date.UTC(2026, 5, 1, 3, 0, 0));
    cp = await createControlPlane({ storage, policy: TEST_POLICY as never, clock });
    tokens = createTokenService({ storage, now: clock.now });
    app = createHttpApp({
      controlPlane: cp,
      auth: createTokenAuth({ storage, now: clock.now }),
      now: clock.now,
      sse: { pollIntervalMs: 10, keepAliveMs: 50 },
      dashboard: true,
    });
  }
  const handle = (r: Request) => app.fetch(r);

  it("pages redirect to the sign-in page and writes answer 401 after revocation", async () => {
    await setup();
    const created = await tokens.create({ role: "approver", name: "alice" });
    const alice = await uiSignIn(handle, created.token);
    await tokens.revoke(created.record.id);
    const page = await alice.get("/");
    expect(page.status).toBe(303);
    expect(page.location).toBe("/login?next=%2F");
    expect((await alice.post("/logout", {})).status).toBe(401);
  });

  /** Opens `/ui/stream` with `cookie`; `text()` is what arrived so far, `ended` resolves when it ends. */
  async function openStream(cookie: string) {
    const stop = new AbortController();
    const res = await handle(new Request(`${BASE}/ui/stream`, { headers: { cookie }, signal: stop.signal }));
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const ended = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    })();
    return { text: () => text, ended, stop: () => stop.abort() };
  }

  it.each([
    ["revoked", async (id: string) => void (await tokens.revoke(id))],
    ["expired", async () => clock.advance(61_000)],
  ])("the live stream stops once the token is %s: no event after that", async (_name, end) => {
    await setup();
    const created = await tokens.create({ role: "viewer", name: "victor", expiresInMs: 60_000 });
    const victor = await uiSignIn(handle, created.token);
    const stream = await openStream(victor.cookie);
    const before = await cp.openSession({ name: "before" });
    await expect
      .poll(() => parseSse(stream.text()).some((e) => e.event === "session_opened"), { timeout: 5_000 })
      .toBe(true);
    await end(created.record.id);
    const after = await cp.openSession({ name: "after-the-end" });
    // The server ends the stream by itself (the test does not abort it).
    const ended = await Promise.race([
      stream.ended.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3_000)),
    ]);
    stream.stop();
    expect(ended).toBe(true);
    expect(stream.text()).toContain(before.id);
    expect(stream.text()).not.toContain(after.id);
  });

  it("the live stream ends when the sign-in itself runs out", async () => {
    await setup();
    const created = await tokens.create({ role: "viewer", name: "victor" });
    const victor = await uiSignIn(handle, created.token);
    const stream = await openStream(victor.cookie);
    clock.advance(13 * 60 * 60_000); // past the 12-hour sign-in
    await cp.openSession({ name: "late" });
    const ended = await Promise.race([
      stream.ended.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 3_000)),
    ]);
    stream.stop();
    expect(ended).toBe(true);
    expect(parseSse(stream.text()).some((e) => e.event === "session_opened")).toBe(false);
  });
});
