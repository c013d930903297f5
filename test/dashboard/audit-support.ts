/**
 * In-process helpers for the audit and policy page tests: a control plane with the dashboard mounted
 * (`createHttpApp({ dashboard: true })`, requests through `app.fetch`, no socket) and a signed-in session per
 * role (its cookie and CSRF token).
 */
import { createStaticAuth } from "../../src/auth/static-auth.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createHttpApp, type HttpApp } from "../../src/http/create-http-app.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { signInDashboard } from "../support/dashboard-client.js";
import { TEST_TOKENS, TOKENS } from "../support/http-server.js";

/** The origin requests are made on. */
export const ORIGIN = "http://127.0.0.1:7400";

/** A signed-in browser, without the browser: the cookie and the CSRF token of one sign-in. */
export interface UiSession {
  get(path: string): Promise<Response>;
  /** A form post (urlencoded, with the CSRF token and a same-origin `Origin`). */
  post(path: string, fields: Record<string, string>): Promise<Response>;
}

/** The dashboard over a fresh memory control plane. */
export interface UiHarness {
  readonly cp: ControlPlane;
  readonly app: HttpApp;
  signIn(role: keyof typeof TOKENS): Promise<UiSession>;
  close(): Promise<void>;
}

/** Starts a control plane with the dashboard (policy TEST_POLICY). */
export async function startUi(): Promise<UiHarness> {
  const storage = createMemoryStorage();
  const cp = await createControlPlane({ storage, policy: TEST_POLICY as never });
  const app = createHttpApp({ controlPlane: cp, auth: createStaticAuth(TEST_TOKENS), dashboard: true });
  return {
    cp,
    app,
    async signIn(role) {
      const client = await signInDashboard((r) => app.fetch(r), TOKENS[role], ORIGIN);
      return { get: (path) => client.get(path), post: (path, fields) => client.post(path, fields) };
    },
    async close() {
      app.close();
      await cp.close();
      await storage.close();
    },
  };
}

/** The rows' event ids of an audit page, in order. */
export function rowIds(html: string): number[] {
  return [...html.matchAll(/<tr id="event-(\d+)"/g)].map((m) => Number(m[1]));
}
