/**
 * `acp serve --mcp-config` end to end with real processes: the governed proxy at `/mcp` over Streamable HTTP,
 * reached by the SDK client with an agent token made by `acp tokens create`; the upstreams are the real
 * `server-everything` and `server-filesystem`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAcp } from "../support/run-acp.js";
import { type StartedServe, startServe } from "../support/serve-process.js";
import { type ProxySetup, writeProxySetup } from "./fixtures/proxy-config.js";

type ToolResult = { content: { type: string; text?: string }[]; isError?: boolean };
const text = (r: unknown) => (r as ToolResult).content.map((c) => c.text ?? "").join("\n");

let setup: ProxySetup;
let serve: StartedServe;
let agentToken: string;
const clients: Client[] = [];

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: "http-e2e", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${serve.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

beforeAll(async () => {
  setup = writeProxySetup({ servers: ["everything", "files", "fix"] });
  serve = await startServe([
    "--sqlite",
    setup.db,
    "--policy",
    join(setup.dir, "policy.yaml"),
    "--mcp-config",
    setup.config,
  ]);
  const created = await runAcp(["tokens", "create", "--role", "agent", "--agent", "ide-agent", "--json"], {
    ACP_URL: serve.url,
    ACP_TOKEN: serve.adminToken,
  });
  expect(created.code, created.stderr).toBe(0);
  agentToken = (JSON.parse(created.stdout) as { token: string }).token;
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  serve?.process.kill("SIGTERM");
  await serve?.exited;
  setup?.remove();
});

describe("acp serve --mcp-config: /mcp", () => {
  it("announces the endpoint and answers 401 without a token", async () => {
    expect(serve.lines.join("\n")).toContain("at /mcp");
    const res = await fetch(`${serve.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });
    expect(res.status).toBe(401);
  });

  it("serves an agent token: allowed call runs, proposed as the token's agent", async () => {
    const client = await connect(agentToken);
    const echo = await client.callTool({ name: "everything__echo", arguments: { message: "over http" } });
    expect(echo.isError).toBeFalsy();
    expect(text(echo)).toContain("over http");
    const res = await fetch(`${serve.url}/v1/proposals?agent_id=ide-agent`, {
      headers: { authorization: `Bearer ${serve.adminToken}` },
    });
    const body = (await res.json()) as { items?: { action: string; agent_id: string }[] };
    const rows = body.items ?? (body as unknown as { action: string; agent_id: string }[]);
    expect(rows.map((r) => [r.agent_id, r.action])).toContainEqual(["ide-agent", "demo.echo"]);
  });

  it("refuses an admin token on /mcp with 403", async () => {
    await expect(connect(serve.adminToken!)).rejects.toThrow(/403|agent tokens/);
  });

  it("holds a write for approval; approved with acp tickets approve, the retry in the same session runs once", async () => {
    const client = await connect(agentToken);
    const target = join(setup.files, "via-http.txt");
    const args = { path: target, content: "over http, approved\n" };
    const first = await client.callTool({ name: "files__write_file", arguments: args });
    expect(first.isError).toBe(true);
    const ticketId = /ticket (\S+) is still pending/.exec(text(first))?.[1];
    expect(ticketId, text(first)).toBeDefined();
    expect(existsSync(target)).toBe(false);
    const approved = await runAcp(["tickets", "approve", ticketId!], {
      ACP_URL: serve.url,
      ACP_TOKEN: serve.adminToken,
    });
    expect(approved.code, approved.stderr).toBe(0);
    const retry = await client.callTool({ name: "files__write_file", arguments: args });
    expect(retry.isError, text(retry)).toBeFalsy();
    expect(readFileSync(target, "utf8")).toBe("over http, approved\n");
  }, 60_000);

  it("cancels a call in flight when acp kill stops the agent", async () => {
    const client = await connect(agentToken);
    const env = { ACP_URL: serve.url, ACP_TOKEN: serve.adminToken };
    const t0 = Date.now();
    const slow = client.callTool({ name: "fix__slow", arguments: { ms: 20_000 } });
    await new Promise((r) => setTimeout(r, 700));
    const killed = await runAcp(["kill", "agent", "ide-agent", "--reason", "stop the slow one"], env);
    expect(killed.code, killed.stderr).toBe(0);
    const result = (await slow) as ToolResult;
    expect(result.isError).toBe(true);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const next = (await client.callTool({
      name: "everything__echo",
      arguments: { message: "x" },
    })) as ToolResult;
    expect(next.isError).toBe(true);
    expect(text(next)).toMatch(/kill_switch/);
    expect((await runAcp(["resume", "agent", "ide-agent"], env)).code).toBe(0);
  }, 30_000);

  it("shuts down on SIGTERM without waiting out the grace period for a connected client's event stream", async () => {
    const client = await connect(agentToken);
    await client.callTool({ name: "everything__echo", arguments: { message: "before shutdown" } });
    await new Promise((r) => setTimeout(r, 300)); // the client's standing GET stream is open now
    const t0 = Date.now();
    serve.process.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000); // the grace period is 10 s
    expect(serve.lines.join("\n")).not.toContain("grace period");
  }, 30_000);
});
