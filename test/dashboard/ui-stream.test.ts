/**
 * The dashboard's live connection starts where the page rendered: an event committed between rendering a page
 * and connecting its stream still arrives.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createStaticAuth } from "../../src/auth/static-auth.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createHttpApp, type HttpApp } from "../../src/http/create-http-app.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { TEST_TOKENS, TOKENS } from "../support/http-server.js";

const BASE = "http://127.0.0.1:7400";
let cp: ControlPlane | undefined;
let app: HttpApp | undefined;
afterEach(async () => {
  app?.close();
  await cp?.close();
});

async function setUp(): Promise<{ app: HttpApp; cp: ControlPlane; cookie: string }> {
  cp = await createControlPlane({ storage: createMemoryStorage(), policy: TEST_POLICY });
  app = createHttpApp({ controlPlane: cp, auth: createStaticAuth(TEST_TOKENS), dashboard: true });
  const login = await app.fetch(
    new Request(`${BASE}/login`, {
      method: "POST",
      body: new URLSearchParams({ token: TOKENS.viewer }),
      headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE },
    }),
  );
  return { app, cp, cookie: login.headers.get("set-cookie")!.split(";")[0]! };
}

/** Reads the stream until `pattern` shows up (or the test times out). */
async function readUntil(res: Response, pattern: RegExp): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

describe("dashboard live connection", () => {
  it("starts after the feed head the page rendered at, so an event committed in between still arrives", async () => {
    const { app, cp, cookie } = await setUp();
    await cp.openSession({ name: "before", agentId: "agent-a" });
    const page = await (await app.fetch(new Request(`${BASE}/sessions`, { headers: { cookie } }))).text();
    const connect = /sse-connect="([^"]+)"/.exec(page)![1]!.replaceAll("&amp;", "&");
    const head = await cp.feedHead();
    expect(connect).toBe(`/ui/stream?after=${head}`);
    const between = await cp.openSession({ name: "between", agentId: "agent-a" }); // before the stream connects
    const res = await app.fetch(new Request(BASE + connect, { headers: { cookie } }));
    const text = await readUntil(res, new RegExp(`/sessions/${between.id}`));
    expect(text).toContain("event: session_opened");
    expect(text).toContain(`/sessions/${between.id}`);
    expect(text).not.toContain(`id: ${head}\n`);
  });

  it("refuses an `after` that is not a feed id, naming it", async () => {
    const { app, cookie } = await setUp();
    const res = await app.fetch(new Request(`${BASE}/ui/stream?after=-1`, { headers: { cookie } }));
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("after");
  });
});
