/**
 * Governed action over HTTP = `POST /v1/proposals` + `POST /v1/proposals/{id}/complete` over keep-alive
 * connections, against a server in a child process over a SQLite file (WAL, synchronous=FULL), with 1 and 32
 * concurrent clients; next to the same work through the facade in this process on the same storage settings.
 * Run: `npm run bench -- http`. `BENCH_CPU_PROF=1` also writes a CPU profile of the server process and prints
 * its heaviest functions.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ControlPlane, createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import { summarizeCpuProfile } from "./cpu-profile.js";
import { BENCH_POLICY } from "./http-bench-policy.js";
import { type LatencySummary, measure, printTable, summarize } from "./stats.js";

const ONE_CLIENT = { iterations: 1_000, warmup: 200 };
const CLIENTS = 32;
const PER_CLIENT = 100;

async function governedInProcess(cp: ControlPlane, sessionId: string, i: number): Promise<void> {
  const d = await cp.propose({ sessionId, action: "write_file", resourceId: `r${i}`, cost: "0.01" });
  if (d.outcome !== "allowed") throw new Error(`unexpected ${d.outcome}: ${d.reason}`);
  await cp.complete(d.proposalId, { ok: true });
}

/** The facade in this process: one caller, then `CLIENTS` concurrent callers. */
async function inProcess(dir: string): Promise<[LatencySummary, LatencySummary]> {
  const storage = await createSqliteStorage({
    path: join(dir, "in-process.db"),
    journalMode: "wal",
    synchronous: "full",
  });
  try {
    const cp = await createControlPlane({ storage, policy: BENCH_POLICY });
    const one = await cp.openSession({ agentId: "solo" });
    const single = await measure(
      "in-process facade, 1 caller",
      (i) => governedInProcess(cp, one.id, i),
      ONE_CLIENT,
    );
    const sessions = await Promise.all(
      Array.from({ length: CLIENTS }, (_, c) => cp.openSession({ agentId: `bench-${c}` })),
    );
    const many = await concurrently(`in-process facade, ${CLIENTS} callers`, (c, i) =>
      governedInProcess(cp, sessions[c]!.id, c * PER_CLIENT + i),
    );
    await cp.close();
    return [single, many];
  } finally {
    await storage.close();
  }
}

/** Runs `CLIENTS` loops of `PER_CLIENT` operations at once; aggregate throughput and per-operation latency. */
async function concurrently(name: string, op: (client: number, i: number) => Promise<void>) {
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        const t0 = process.hrtime.bigint();
        await op(c, i);
        samples.push(Number(process.hrtime.bigint() - t0) / 1000);
      }
    }),
  );
  return summarize(name, samples, Number(process.hrtime.bigint() - start) / 1000);
}

/** A JSON POST over a keep-alive agent; resolves with the parsed body of a 200, rejects otherwise. */
function post(
  agent: Agent,
  port: number,
  token: string,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: "127.0.0.1",
        port,
        method: "POST",
        path,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-length": String(data.length),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text) as Record<string, unknown>);
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

async function governedOverHttp(agent: Agent, port: number, token: string, sessionId: string, i: number) {
  const d = await post(agent, port, token, "/v1/proposals", {
    session_id: sessionId,
    action: "write_file",
    resource_id: `r${i}`,
    cost: "0.01",
  });
  if (d.outcome !== "allowed") throw new Error(`unexpected ${String(d.outcome)}: ${String(d.reason)}`);
  await post(agent, port, token, `/v1/proposals/${String(d.proposal_id)}/complete`, { ok: true });
}

interface Served {
  readonly child: ChildProcess;
  readonly port: number;
  readonly sessions: string[];
  readonly tokens: string[];
}

/** Starts `bench/http-server-worker.ts` and waits for its ready line. */
function startServer(path: string, profileDir?: string): Promise<Served> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const prof = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(
    process.execPath,
    [...prof, "--import", "tsx", "bench/http-server-worker.ts", JSON.stringify({ path, clients: CLIENTS })],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ child, ...(JSON.parse(line) as Omit<Served, "child">) });
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}) before it was ready`)));
  });
}

async function overHttp(dir: string, profileDir?: string): Promise<[LatencySummary, LatencySummary]> {
  const served = await startServer(join(dir, "http.db"), profileDir);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  try {
    const { port, sessions, tokens } = served;
    const single = await measure(
      "HTTP keep-alive, 1 client",
      (i) => governedOverHttp(agent, port, tokens[0]!, sessions[0]!, i),
      ONE_CLIENT,
    );
    const many = await concurrently(`HTTP keep-alive, ${CLIENTS} clients`, (c, i) =>
      governedOverHttp(agent, port, tokens[c]!, sessions[c]!, 1_000_000 + c * PER_CLIENT + i),
    );
    return [single, many];
  } finally {
    agent.destroy();
    const exited = new Promise((resolve) => served.child.once("exit", resolve));
    served.child.kill("SIGTERM");
    await exited;
  }
}

/** Runs the suite. */
export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acp-bench-http-"));
  const profileDir = process.env.BENCH_CPU_PROF ? join(dir, "profile") : undefined;
  try {
    const [inSingle, inMany] = await inProcess(dir);
    const [httpSingle, httpMany] = await overHttp(dir, profileDir);
    printTable("governed action (propose + complete), SQLite file WAL + synchronous=FULL", [
      inSingle,
      { ...httpSingle, goal: "p50 ≤ in-process + 1 ms" },
      inMany,
      { ...httpMany, goal: "≥ 5,000/s" },
    ]);
    const added = httpSingle.p50Us - inSingle.p50Us;
    console.log(
      `added over in-process (p50, 1 client): ${added.toFixed(0)} µs (goal ≤ 1,000 µs: ${added <= 1000 ? "met" : "missed"}); ` +
        `${CLIENTS} clients: ${Math.round(httpMany.opsPerSec).toLocaleString("en-US")} governed actions/s ` +
        `(goal ≥ 5,000: ${httpMany.opsPerSec >= 5000 ? "met" : "missed"})`,
    );
    if (profileDir) {
      const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
      if (file) summarizeCpuProfile(join(profileDir, file), 15);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
