/**
 * `npm run bench -- mcp`: the latency a governed `tools/call` adds. The same `echo` call of the real
 * `server-everything` (stdio) is timed straight from the SDK client, through `acp mcp-proxy` over stdio, and
 * through `acp serve --mcp-config` at `/mcp` over Streamable HTTP (an agent token, one MCP session). The proxy
 * and the server run as child processes on one SQLite file (WAL, synchronous=FULL, the defaults): each proxied
 * call is a `propose` (auto-approved) + forward + `complete`. Prints p50/p99 per call, calls/s one at a time and
 * with 16 in flight, and the p50 added over the direct call. A fourth case runs the gateway in this process over
 * an in-memory transport (same database settings): what governance costs without a shell around it.
 */
import { join } from "node:path";
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import { loadMcpConfig } from "../src/mcp/config.js";
import { createMcpGateway } from "../src/mcp/gateway.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import { ACP_CLI, REPO_ROOT, UPSTREAMS, writeProxySetup } from "../test/mcp/fixtures/proxy-config.js";
import { runAcp } from "../test/support/run-acp.js";
import { startServe } from "../test/support/serve-process.js";
import { type LatencySummary, measure, printTable } from "./stats.js";

const ITERATIONS = Number(process.env.BENCH_MCP_ITERATIONS ?? 1000);
const CONCURRENT = 16;

const env = { ...process.env, ACP_DATABASE_URL: "" } as Record<string, string>;

/** Times sequential calls, then `CONCURRENT` callers for throughput. */
async function timeClient(name: string, client: Client): Promise<LatencySummary[]> {
  const call = (i: number) => client.callTool({ name: "echo", arguments: { message: `m${i}` } });
  const one = await measure(`${name}, 1 at a time`, (i) => call(i), { iterations: ITERATIONS, warmup: 100 });
  const batches = Math.ceil(ITERATIONS / CONCURRENT);
  const many = await measure(
    `${name}, ${CONCURRENT} in flight (per batch)`,
    (i) => Promise.all(Array.from({ length: CONCURRENT }, (_, k) => call(i * CONCURRENT + k))),
    { iterations: batches, warmup: 10 },
  );
  return [one, { ...many, name: many.name, opsPerSec: many.opsPerSec * CONCURRENT }];
}

/** `echo` under the proxy's exposed name. */
function renamed(client: Client): Client {
  const original = client.callTool.bind(client);
  client.callTool = ((params: { name: string; arguments?: Record<string, unknown> }, ...rest: unknown[]) =>
    (original as (...a: unknown[]) => ReturnType<Client["callTool"]>)(
      { ...params, name: `everything__${params.name}` },
      ...rest,
    )) as Client["callTool"];
  return client;
}

async function checked(client: Client): Promise<Client> {
  const r = await client.callTool({ name: "echo", arguments: { message: "check" } });
  if (r.isError) throw new Error(`bench call refused: ${JSON.stringify(r.content)}`);
  return client;
}

/** Runs the suite. */
export async function run(): Promise<void> {
  const setup = writeProxySetup({ servers: ["everything"] });
  const rows: (LatencySummary & { goal?: string })[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const direct = new Client({ name: "bench-direct", version: "1" });
    await direct.connect(
      new StdioClientTransport({ command: process.execPath, args: [UPSTREAMS.everything] }),
    );
    closers.push(() => direct.close());
    rows.push(...(await timeClient("direct to server-everything (stdio)", await checked(direct))));

    // The gateway in this process over an in-memory transport: the governance cost without a shell.
    const storage = createSqliteStorage({ path: `${setup.db}.inproc` });
    const cp = await createControlPlane({ storage, policy: join(setup.dir, "policy.yaml") });
    const gateway = await createMcpGateway({ controlPlane: cp, config: loadMcpConfig(setup.config) });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await gateway.serverFor({ agentId: "bench-inproc" }).connect(serverSide);
    const inProcess = renamed(new Client({ name: "bench-inproc", version: "1" }));
    await inProcess.connect(clientSide);
    closers.push(async () => {
      await inProcess.close();
      await gateway.close();
      await cp.close();
      await storage.close();
    });
    rows.push(...(await timeClient("gateway in-process (no shell)", await checked(inProcess))));

    const viaStdio = renamed(new Client({ name: "bench-stdio", version: "1" }));
    await viaStdio.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ["--import", "tsx", ACP_CLI, "mcp-proxy", "--config", setup.config],
        cwd: REPO_ROOT,
        env,
      }),
    );
    closers.push(() => viaStdio.close());
    rows.push(...(await timeClient("acp mcp-proxy (stdio)", await checked(viaStdio))));

    const serve = await startServe(
      ["--sqlite", setup.db, "--policy", join(setup.dir, "policy.yaml"), "--mcp-config", setup.config],
      env,
    );
    closers.push(async () => {
      serve.process.kill("SIGTERM");
      await serve.exited;
    });
    const created = await runAcp(["tokens", "create", "--role", "agent", "--agent", "bench", "--json"], {
      ACP_URL: serve.url,
      ACP_TOKEN: serve.adminToken,
    });
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    const viaHttp = renamed(new Client({ name: "bench-http", version: "1" }));
    await viaHttp.connect(
      new StreamableHTTPClientTransport(new URL(`${serve.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    closers.push(() => viaHttp.close());
    rows.push(...(await timeClient("acp serve /mcp (Streamable HTTP)", await checked(viaHttp))));
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    setup.remove();
  }
  const base = rows[0]!.p50Us;
  for (const r of rows) if (r.name.endsWith("1 at a time") && r !== rows[0]) r.goal = "+ ≤ 1 ms (p50)";
  printTable(
    "MCP tools/call: direct vs through the governed proxy (SQLite file, WAL, synchronous=FULL)",
    rows,
  );
  for (const r of rows.filter((x) => x.name.endsWith("1 at a time") && x !== rows[0])) {
    console.log(`added over direct, p50: ${((r.p50Us - base) / 1000).toFixed(2)} ms (${r.name})`);
  }
}
