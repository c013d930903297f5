/**
 * Live-stream latency: from the moment a decision's committing call returns to the moment a connected SSE
 * client (`GET /v1/events/stream`) has parsed the matching event. An in-process server as `acp serve` runs it
 * (createHttpApp + @hono/node-server on 127.0.0.1:0, SQLite file WAL + synchronous=FULL with gatherWrites), the
 * default `sse.pollIntervalMs` (250 ms); decisions made through the facade (`propose` returns) and through HTTP
 * (`POST /v1/proposals` answers), each with 1 and with 10 connected clients. Decisions are sequential, each
 * after a random pause of up to one poll interval (so a polling stream is met at every phase of its poll).
 * Run: `npm run bench -- sse` (`BENCH_SSE_N=…` decisions per case, default 100).
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { serve } from "@hono/node-server";
import { createStaticAuth } from "../src/auth/static-auth.js";
import { type ControlPlane, createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createHttpApp } from "../src/http/create-http-app.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import { BENCH_POLICY } from "./http-bench-policy.js";
import { percentile } from "./stats.js";

const DECISIONS = Number(process.env.BENCH_SSE_N ?? 100);
const POLL_MS = 250;
const AGENT_TOKEN = "bench-sse-agent-token-0123456789";
const VIEWER_TOKEN = "bench-sse-viewer-token-0123456789";

/** One connected SSE client: resolves `seen(proposalId)` with the time its first event was parsed. */
interface SseClient {
  seen(proposalId: string): Promise<number>;
  close(): void;
}

/** Opens `/v1/events/stream` and parses it as it arrives (a small parser: `data:` lines of each block). */
async function connect(url: string): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(`${url}/v1/events/stream`, {
    headers: { authorization: `Bearer ${VIEWER_TOKEN}` },
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`stream: ${res.status}`);
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const pump = async () => {
    let buffer = "";
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) return;
      buffer += chunk.value;
      for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        if (block.startsWith(": connected")) connected();
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trimStart())
          .join("\n");
        if (data === "") continue;
        const id = (JSON.parse(data) as { proposal_id?: string | null }).proposal_id;
        if (!id || arrived.has(id)) continue;
        const at = performance.now();
        arrived.set(id, at);
        waiting.get(id)?.(at);
      }
    }
  };
  void pump();
  await ready;
  return {
    seen(proposalId) {
      const at = arrived.get(proposalId);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve) => waiting.set(proposalId, resolve));
    },
    close: () => controller.abort(),
  };
}

/** A way to decide one proposal; resolves with its id once the committing call returned. */
type Decide = () => Promise<string>;

/** Latencies (ms) from each decision's return to each client's parse of its event. */
async function measureCase(
  decide: Decide,
  clients: readonly SseClient[],
  count = DECISIONS,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    await delay(Math.random() * POLL_MS);
    const proposalId = await decide();
    const returned = performance.now();
    const seen = await Promise.all(clients.map((c) => c.seen(proposalId)));
    // < 0: the client parsed the event before the call returned to its caller.
    for (const at of seen) samples.push(at - returned);
  }
  return samples;
}

/**
 * Prints one row: case, samples, how many events were parsed before the call returned ("early", counted as 0),
 * p50, p99, max (ms).
 */
function printRow(name: string, samples: readonly number[]): void {
  const early = samples.filter((v) => v < 0).length;
  const sorted = Float64Array.from(samples, (v) => Math.max(0, v)).sort();
  const ms = (v: number) => v.toFixed(1).padStart(8);
  const p50 = percentile(sorted, 50);
  const cells = [String(sorted.length).padStart(6), String(early).padStart(6), ms(p50)];
  cells.push(ms(percentile(sorted, 99)), ms(sorted[sorted.length - 1]!), p50 <= 50 ? " met" : " missed");
  console.log(`${name.padEnd(36)} ${cells.join(" ")}`);
}

/** Runs the suite. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acp-bench-sse-"));
  const storage = await createSqliteStorage({
    path: join(dir, "sse.db"),
    journalMode: "wal",
    synchronous: "full",
    gatherWrites: true, // as `acp serve` opens it
  });
  let cp: ControlPlane | undefined;
  const clients: SseClient[] = [];
  try {
    cp = await createControlPlane({ storage, policy: BENCH_POLICY });
    const facade = cp;
    const session = await facade.openSession({ agentId: "bench-agent", name: "sse" });
    const app = createHttpApp({
      controlPlane: facade,
      auth: createStaticAuth([
        { token: AGENT_TOKEN, role: "agent", agentId: "bench-agent", name: "bench-agent" },
        { token: VIEWER_TOKEN, role: "viewer", name: "bench-viewer" },
      ]),
      sse: { pollIntervalMs: POLL_MS },
      ...({ limits: { ratePerMinute: 1_000_000_000 } } as object),
    });
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let n = 0; // a new resource for each decision (a decided one keeps its lock: no completion here)
    const viaFacade: Decide = async () => {
      const d = await facade.propose({ sessionId: session.id, action: "write_file", resourceId: `f${n++}` });
      if (d.outcome !== "allowed") throw new Error(`unexpected ${d.outcome}: ${d.reason}`);
      return d.proposalId;
    };
    const viaHttp: Decide = async () => {
      const res = await fetch(`${url}/v1/proposals`, {
        method: "POST",
        headers: { authorization: `Bearer ${AGENT_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ session_id: session.id, action: "write_file", resource_id: `h${n++}` }),
      });
      const body = (await res.json()) as { proposal_id?: string };
      if (res.status !== 200 || !body.proposal_id) throw new Error(`POST /v1/proposals: ${res.status}`);
      return body.proposal_id;
    };
    console.log(
      `\n## SSE: decision returned → event parsed by a connected client (ms, ${DECISIONS} decisions)`,
    );
    console.log(
      `${"case".padEnd(36)} ${["n", "early"].map((h) => h.padStart(6)).join(" ")} ${["p50", "p99", "max"].map((h) => h.padStart(8)).join(" ")}  goal p50 ≤ 50`,
    );
    for (const count of [1, 10]) {
      while (clients.length < count) clients.push(await connect(url));
      await measureCase(viaFacade, clients, 10); // warm-up (also of the fresh streams)
      const label = `${count} client${count === 1 ? "" : "s"}`;
      printRow(`facade propose, ${label}`, await measureCase(viaFacade, clients));
      printRow(`HTTP POST /v1/proposals, ${label}`, await measureCase(viaHttp, clients));
    }
    for (const c of clients) c.close();
    await app.close();
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  } finally {
    for (const c of clients) c.close();
    await cp?.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
