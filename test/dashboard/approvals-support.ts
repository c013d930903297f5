/**
 * A signed-in dashboard client for the in-process tests of the approvals and attention pages: signs in through
 * `POST /login` with a token, keeps the session cookie, reads the CSRF token from a page, and posts forms
 * (`application/x-www-form-urlencoded`) like a browser without JavaScript would.
 */
import { expect } from "vitest";
import { createStaticAuth, type StaticToken } from "../../src/auth/static-auth.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createHttpApp } from "../../src/http/create-http-app.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { TEST_POLICY, type TestClock, testClock } from "../support/control-plane-fixture.js";
import { type Handler, signInDashboard } from "../support/dashboard-client.js";
import { TEST_TOKENS } from "../support/http-server.js";

export type { Handler };

/** An answer with its body read. */
export interface Answer {
  readonly status: number;
  readonly location: string | null;
  readonly headers: Headers;
  readonly text: string;
}

/** A signed-in browser-like client. */
export interface UiClient {
  readonly csrf: string;
  /** The `Cookie` header of the sign-in (for requests the client does not make itself). */
  readonly cookie: string;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  /** Posts `fields` (with the CSRF token unless `_csrf` is given) and does not follow the redirect. */
  post(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Answer>;
}

const BASE = "http://127.0.0.1:9";

async function answer(res: Response): Promise<Answer> {
  return {
    status: res.status,
    location: res.headers.get("location"),
    headers: res.headers,
    text: await res.text(),
  };
}

/** Signs in with `token` and returns the client (fails the test when the sign-in is refused). */
export async function uiSignIn(handle: Handler, token: string): Promise<UiClient> {
  const client = await signInDashboard(handle, token, BASE);
  expect(client.cookie).toMatch(/^acp_session=/);
  return {
    csrf: client.csrf,
    cookie: client.cookie,
    get: async (path, headers) => answer(await client.get(path, headers)),
    post: async (path, fields, headers) => answer(await client.post(path, fields, headers)),
  };
}

/** The ids of the ticket cards of a page, in page order. */
export function ticketIdsIn(html: string): string[] {
  return [...html.matchAll(/<article class="card ticket" id="ticket-([^"]+)"/g)].map((m) => m[1]!);
}

/** An in-process app (memory storage, a settable clock) with the dashboard on, and its control plane. */
export interface UiApp {
  readonly cp: ControlPlane;
  readonly clock: TestClock;
  readonly handle: Handler;
  close(): Promise<void>;
}

/** Creates a {@link UiApp} with `policy` (default TEST_POLICY), the test tokens and any `extraTokens`. */
export async function startUi(
  options: { policy?: unknown; extraTokens?: readonly StaticToken[]; lockTtlMs?: number } = {},
): Promise<UiApp> {
  const storage = createMemoryStorage();
  const clock = testClock(Date.UTC(2026, 5, 1, 3, 0, 0));
  const cp = await createControlPlane({
    storage,
    policy: (options.policy ?? TEST_POLICY) as never,
    clock,
    ...(options.lockTtlMs === undefined ? {} : { lockTtlMs: options.lockTtlMs }),
  });
  const app = createHttpApp({
    controlPlane: cp,
    auth: createStaticAuth([...TEST_TOKENS, ...(options.extraTokens ?? [])]),
    now: clock.now,
    dashboard: true,
  });
  return {
    cp,
    clock,
    handle: (r) => app.fetch(r),
    async close() {
      app.close();
      await cp.close();
      await storage.close();
    },
  };
}
