/**
 * Child process of the HTTP benchmark (`bench/http.bench.ts`): serves `createHttpApp` on 127.0.0.1 over a
 * SQLite file (WAL, synchronous=FULL) with one agent token and one session per client, prints
 * `{"ready":true,"port":…,"sessions":[…],"tokens":[…]}` and serves until SIGTERM.
 * Usage: node --import tsx bench/http-server-worker.ts '{"path":"/tmp/x.db","clients":32}'
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createStaticAuth } from "../src/auth/static-auth.js";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createHttpApp } from "../src/http/create-http-app.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import { BENCH_POLICY } from "./http-bench-policy.js";

const { path, clients } = JSON.parse(process.argv[2] ?? "{}") as { path: string; clients: number };
const storage = await createSqliteStorage({
  path,
  journalMode: "wal",
  synchronous: "full",
  gatherWrites: true, // as `acp serve` opens it
});
const cp = await createControlPlane({ storage, policy: BENCH_POLICY });
const tokens = Array.from({ length: clients }, (_, i) => `bench-agent-token-${i}-${process.pid}`);
const sessions: string[] = [];
for (let i = 0; i < clients; i++)
  sessions.push((await cp.openSession({ agentId: `bench-${i}`, name: `c${i}` })).id);
// The per-token rate limit (when the app has one) is lifted: the benchmark measures the request path itself.
const limits = { limits: { ratePerMinute: 1_000_000_000 } } as object;
const app = createHttpApp({
  ...limits,
  controlPlane: cp,
  auth: createStaticAuth(tokens.map((token, i) => ({ token, role: "agent", agentId: `bench-${i}` }))),
});
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
server.once("listening", () => {
  const port = (server.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ ready: true, port, sessions, tokens })}\n`);
});
process.once("SIGTERM", () => {
  server.close(async () => {
    await cp.close();
    await storage.close();
    process.exit(0);
  });
  (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
});
