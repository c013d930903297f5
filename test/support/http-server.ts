import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterEach, beforeEach } from "vitest";
import { createStaticAuth, type StaticToken } from "../../src/auth/static-auth.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createHttpApp, type HttpApp } from "../../src/http/create-http-app.js";
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
  /** `fetch(url + path)` with the bearer token and a JSON body when given. */
  call(
    path: string,
    init?: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  /** Cuts every open connection (clients see a dropped connection; the server keeps listening). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Starts `createHttpApp` on 127.0.0.1 with an ephemeral port over the given (default: memory) storage. */
export async function startHttp(options: { storage?: Storage; policy?: unknown } = {}): Promise<HttpHarness> {
  const storage = options.storage ?? createMemoryStorage();
  const cp = await createControlPlane({ storage, policy: (options.policy ?? TEST_POLICY) as never });
  const app = createHttpApp({ controlPlane: cp, auth: createStaticAuth(TEST_TOKENS) });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    cp,
    storage,
    app,
    url,
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
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cp.close();
      await storage.close();
    },
  };
}

/** Registers a fresh {@link startHttp} harness around each test. */
export function useHttp(options: Parameters<typeof startHttp>[0] = {}): () => HttpHarness {
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
