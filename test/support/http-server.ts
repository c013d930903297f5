import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterEach, beforeEach } from "vitest";
import { createStaticAuth, type StaticToken } from "../../src/auth/static-auth.js";
import { createTokenAuth } from "../../src/auth/token-auth.js";
import { createTokenService, type TokenService } from "../../src/auth/token-service.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createHttpApp, type HttpApp, type HttpAppOptions } from "../../src/http/create-http-app.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import type { Storage } from "../../src/storage/storage.js";
import { TEST_POLICY } from "./control-plane-fixture.js";

/** Bearer tokens of each role used by the HTTP tests (agent tokens are bound to "agent-a" / "agent-b"). */
export const TOKENS = {
  admin: "admin-token-0123456789",
  operator: "operator-token-0123456789",
  approver: "approver-token-0123456789",
  viewer: "viewer-token-0123456789",
  agentA: "agent-a-token-0123456789",
  agentB: "agent-b-token-0123456789",
} as const;

/** The static tokens behind {@link TOKENS}. */
export const TEST_TOKENS: readonly StaticToken[] = [
  { token: TOKENS.admin, role: "admin", name: "root" },
  { token: TOKENS.operator, role: "operator", name: "olivia" },
  { token: TOKENS.approver, role: "approver", name: "alice" },
  { token: TOKENS.viewer, role: "viewer", name: "victor" },
  { token: TOKENS.agentA, role: "agent", agentId: "agent-a", name: "agent-a" },
  { token: TOKENS.agentB, role: "agent", agentId: "agent-b", name: "agent-b" },
];

/** A running HTTP server over a control plane, on a real loopback port. */
export interface HttpHarness {
  readonly cp: ControlPlane;
  readonly storage: Storage;
  readonly app: HttpApp;
  readonly url: string;
  /** The token service (only with `auth: "stored"`). */
  readonly tokens: TokenService | undefined;
  /** The first admin token, created by `ensureAdmin` (only with `auth: "stored"`). */
  readonly adminToken: string | undefined;
  /** `fetch(url + path)` with the bearer token and a JSON body when given. */
  call(
    path: string,
    init?: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  /** Cuts every open connection (clients see a dropped connection; the server keeps listening). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Options of {@link startHttp}. */
export interface StartHttpOptions {
  /** Default: a fresh memory storage. */
  readonly storage?: Storage;
  readonly policy?: unknown;
  /**
   * How requests authenticate: `"static"` (default) — the {@link TOKENS}, no token service (`/v1/tokens`
   * answers 501); `"stored"` — `createTokenAuth` over the storage with a token service, and a first admin token
   * in `adminToken`.
   */
  readonly auth?: "static" | "stored";
  /** Clock of the app, the token service and the token authenticator (default `Date.now`). */
  readonly now?: () => number;
  /** Timing of the SSE stream. */
  readonly sse?: HttpAppOptions["sse"];
  /** Static tokens replacing {@link TEST_TOKENS} (with `auth: "static"`). */
  readonly tokens?: readonly StaticToken[];
  /** Further app options (`limits`, `log`, …). */
  readonly app?: Partial<Omit<HttpAppOptions, "controlPlane" | "auth" | "now" | "tokens">>;
}

/**
 * Starts `createHttpApp` on 127.0.0.1 with an ephemeral port over the given (default: memory) storage, with
 * extra app options (`limits`, `log`, …) when given.
 */
export async function startHttp(options: StartHttpOptions = {}): Promise<HttpHarness> {
  const storage = options.storage ?? createMemoryStorage();
  const cp = await createControlPlane({ storage, policy: (options.policy ?? TEST_POLICY) as never });
  const now = options.now ?? Date.now;
  const stored = options.auth === "stored";
  const tokens = stored ? createTokenService({ storage, now }) : undefined;
  const adminToken = (await tokens?.ensureAdmin())?.token;
  const app = createHttpApp({
    ...options.app,
    controlPlane: cp,
    auth: stored ? createTokenAuth({ storage, now }) : createStaticAuth(options.tokens ?? TEST_TOKENS),
    now,
    ...(tokens === undefined ? {} : { tokens }),
    ...(options.sse === undefined ? {} : { sse: options.sse }),
  });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    cp,
    storage,
    app,
    url,
    tokens,
    adminToken,
    call(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
      if (init.body !== undefined) headers["content-type"] = "application/json";
      return fetch(url + path, {
        method: init.method ?? (init.body === undefined ? "GET" : "POST"),
        headers,
        ...(init.body === undefined
          ? {}
          : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
      });
    },
    dropConnections() {
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
    },
    async close() {
      app.close(); // ends open SSE streams and long polls, so that server.close() does not wait for them
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A keep-alive socket of a client that just cancelled a stream may linger until its timeout: the test is over.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      await cp.close();
      await storage.close();
    },
  };
}

/** Registers a fresh {@link startHttp} harness around each test. */
export function useHttp(options: StartHttpOptions = {}): () => HttpHarness {
  let h: HttpHarness | undefined;
  beforeEach(async () => {
    h = await startHttp(options);
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  return () => h!;
}
