import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createStaticAuth } from "../../src/auth/static-auth.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { SESSION_COOKIE, sealSession } from "../../src/dashboard/session-cookie.js";
import { createHttpApp, type HttpApp } from "../../src/http/create-http-app.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import type { Storage } from "../../src/storage/storage.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { TEST_TOKENS, TOKENS } from "../support/http-server.js";

/** A control plane that counts the feed watchers it holds (added and not yet removed). */
function countingWatchers(cp: ControlPlane): { cp: ControlPlane; live: () => number } {
  const live = new Set<object>();
  const watchFeed = (listener: () => void) => {
    const token = {};
    live.add(token);
    const stop = cp.watchFeed(listener);
    return () => {
      live.delete(token);
      stop();
    };
  };
  return { cp: { ...cp, watchFeed }, live: () => live.size };
}

interface Served {
  readonly cp: ControlPlane;
  readonly storage: Storage;
  readonly app: HttpApp;
  readonly url: string;
  readonly live: () => number;
  close(): Promise<void>;
}

/** Serves `createHttpApp` on 127.0.0.1 over `cp` (which counts its feed watchers), with the given poll interval. */
async function serveWith(cp: ControlPlane, storage: Storage, pollIntervalMs: number): Promise<Served> {
  const counted = countingWatchers(cp);
  const app = createHttpApp({
    controlPlane: counted.cp,
    auth: createStaticAuth(TEST_TOKENS),
    sse: { pollIntervalMs, keepAliveMs: 3_600_000 },
    dashboard: { cookieSecret: COOKIE_SECRET },
  });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  return {
    cp,
    storage,
    app,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    live: counted.live,
    async close() {
      app.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      await cp.close();
      await storage.close();
    },
  };
}

const COOKIE_SECRET = "feed-notices-test-cookie-secret-0123456789";

/** The dashboard's session cookie of a viewer's sign-in (sealed as the dashboard seals it). */
function viewerCookie(): string {
  const key = createHash("sha256").update(`acp-dashboard-cookie\0${COOKIE_SECRET}`).digest();
  const sealed = sealSession(
    { credential: TOKENS.viewer, csrf: "csrf", expiresAt: Date.now() + 3_600_000 },
    key,
  );
  return `${SESSION_COOKIE}=${sealed}`;
}

/**
 * Opens `/v1/events/stream` as a viewer (or the dashboard's `/ui/stream` signed in as one); `next(kind)` resolves
 * with the data of the next event of that kind.
 */
async function openStream(url: string, path = "/v1/events/stream") {
  const controller = new AbortController();
  const headers: Record<string, string> =
    path === "/ui/stream" ? { cookie: viewerCookie() } : { authorization: `Bearer ${TOKENS.viewer}` };
  const res = await fetch(`${url}${path}`, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const blocks: string[] = [];
  const nextBlock = async (): Promise<string> => {
    while (blocks.length === 0) {
      const chunk = await reader.read();
      if (chunk.done) throw new Error("the stream ended");
      buffer += chunk.value;
      for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
        blocks.push(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
      }
    }
    return blocks.shift()!;
  };
  await expect(nextBlock()).resolves.toBe(": connected");
  return {
    /** The parsed data of the next event named `kind` (events of other kinds are skipped). */
    async next(kind: string): Promise<Record<string, unknown>> {
      for (;;) {
        const lines = (await nextBlock()).split("\n");
        if (!lines.includes(`event: ${kind}`)) continue;
        const data = lines.find((l) => l.startsWith("data: "))!.slice(6);
        return JSON.parse(data) as Record<string, unknown>; // the dashboard's data is the feed id: a number
      }
    },
    close: () => controller.abort(),
  };
}

const HOUR = 3_600_000;

describe("live streams wake on commit", () => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  const start = async (pollIntervalMs: number) => {
    const storage = createMemoryStorage();
    const cp = await createControlPlane({ storage, policy: TEST_POLICY as never });
    served = await serveWith(cp, storage, pollIntervalMs);
    return served;
  };

  // With a one-hour poll interval only the commit notice can deliver the events before the test times out.
  it("delivers an event committed through the facade, and one through HTTP, with a one-hour poll interval", async () => {
    const s = await start(HOUR);
    const stream = await openStream(s.url);
    const session = await s.cp.openSession({ agentId: "agent-a", name: "woken" });
    expect(await stream.next("session_opened")).toMatchObject({ session_id: session.id });
    const d = await s.cp.propose({ sessionId: session.id, action: "read_file", resourceId: "a" });
    expect(await stream.next("proposal_decided")).toMatchObject({ proposal_id: d.proposalId });
    const res = await fetch(`${s.url}/v1/proposals`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.agentA}`, "content-type": "application/json" },
      body: JSON.stringify({ session_id: session.id, action: "read_file", resource_id: "b" }),
    });
    const posted = (await res.json()) as { proposal_id: string };
    expect(res.status).toBe(200);
    expect(await stream.next("proposal_decided")).toMatchObject({ proposal_id: posted.proposal_id });
    stream.close();
  }, 20_000);

  it("wakes the dashboard's /ui/stream on commit too", async () => {
    const s = await start(HOUR);
    const stream = await openStream(s.url, "/ui/stream");
    await s.cp.openSession({ name: "seen by the dashboard" });
    const [opened] = await s.cp.feed({ afterId: 0 });
    expect(await stream.next("session_opened")).toBe(opened!.id);
    stream.close();
  }, 20_000);

  it("holds one feed watcher per open stream and releases it when the client disconnects", async () => {
    const s = await start(HOUR);
    expect(s.live()).toBe(0);
    const a = await openStream(s.url);
    const b = await openStream(s.url);
    expect(s.live()).toBe(2);
    a.close();
    await vi.waitFor(() => expect(s.live()).toBe(1), { timeout: 10_000 });
    // The remaining stream still wakes on commit.
    const session = await s.cp.openSession({ name: "after a disconnect" });
    expect(await b.next("session_opened")).toMatchObject({ session_id: session.id });
    b.close();
    await vi.waitFor(() => expect(s.live()).toBe(0), { timeout: 10_000 });
  }, 20_000);

  it("releases every watcher when the app closes", async () => {
    const s = await start(HOUR);
    await openStream(s.url);
    await openStream(s.url);
    expect(s.live()).toBe(2);
    s.app.close();
    await vi.waitFor(() => expect(s.live()).toBe(0), { timeout: 10_000 });
  }, 20_000);

  // Another control plane on the same storage stands for another process: its commits send no notice here.
  it("still finds commits of another control plane on the same database by polling", async () => {
    const s = await start(20);
    const stream = await openStream(s.url);
    const other = await createControlPlane({ storage: s.storage, policy: TEST_POLICY as never });
    const session = await other.openSession({ name: "from elsewhere" });
    expect(await stream.next("session_opened")).toMatchObject({ session_id: session.id });
    await other.close();
    stream.close();
  }, 20_000);
});
