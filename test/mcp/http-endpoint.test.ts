import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { McpServer } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { McpCaller, McpGatewayHandle } from "../../src/mcp/gateway-handle.js";
import { createMcpHttpEndpoint } from "../../src/mcp/http-endpoint.js";
import { type HttpHarness, startHttp, TOKENS } from "../support/http-server.js";

/**
 * The `/mcp` shell alone: a stand-in gateway whose one tool answers with the agent the shell gave it, so the
 * test sees exactly which identity the endpoint derived from the bearer token (governance is the gateway's).
 */
function echoGateway(): McpGatewayHandle & { callers: McpCaller[]; closed: number } {
  const callers: McpCaller[] = [];
  const gateway = {
    callers,
    closed: 0,
    createServer(caller: McpCaller) {
      callers.push(caller);
      const server = new McpServer({ name: "echo-gateway", version: "1.0.0" });
      server.registerTool("whoami", { inputSchema: z.object({ note: z.string() }) }, async ({ note }) => ({
        content: [{ type: "text" as const, text: `${caller.agentId}/${caller.via}: ${note}` }],
      }));
      return server;
    },
    async close() {
      gateway.closed++;
    },
  };
  return gateway;
}

async function connect(url: string, token: string | undefined): Promise<Client> {
  const client = new Client({ name: "http-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

describe("/mcp on the HTTP app", () => {
  let h: HttpHarness | undefined;
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    await h?.close();
    h = undefined;
  });

  it("serves an agent token as that agent over Streamable HTTP", async () => {
    const gateway = echoGateway();
    h = await startHttp({ app: { mcp: createMcpHttpEndpoint({ gateway }) } });
    const client = await connect(h.url, TOKENS.agentA);
    clients.push(client);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(["whoami"]);
    const result = await client.callTool({ name: "whoami", arguments: { note: "hi" } });
    expect(result.content).toEqual([{ type: "text", text: "agent-a/http: hi" }]);
    expect(gateway.callers.every((c) => c.agentId === "agent-a" && c.via === "http")).toBe(true);
  });

  it("answers 401 without a token and with a wrong one, before any MCP server is created", async () => {
    const gateway = echoGateway();
    h = await startHttp({ app: { mcp: createMcpHttpEndpoint({ gateway }) } });
    const body = { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} };
    const none = await h.call("/mcp", { body });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const wrong = await h.call("/mcp", { body, token: "not-a-token-0123456789" });
    expect(wrong.status).toBe(401);
    await expect(connect(h.url, undefined)).rejects.toThrow();
    expect(gateway.callers).toEqual([]);
  });

  it("refuses tokens of other roles with 403 naming the agent role", async () => {
    const gateway = echoGateway();
    h = await startHttp({ app: { mcp: createMcpHttpEndpoint({ gateway }) } });
    for (const token of [TOKENS.operator, TOKENS.admin, TOKENS.viewer]) {
      const res = await h.call("/mcp", {
        body: { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
        token,
      });
      expect(res.status).toBe(403);
      const envelope = (await res.json()) as { error: string; details: { code: string } };
      expect(envelope.details.code).toBe("forbidden");
      expect(envelope.error).toContain("agent tokens");
    }
    expect(gateway.callers).toEqual([]);
  });

  it("keeps two agents apart on one endpoint", async () => {
    const gateway = echoGateway();
    h = await startHttp({ app: { mcp: createMcpHttpEndpoint({ gateway }) } });
    const a = await connect(h.url, TOKENS.agentA);
    const b = await connect(h.url, TOKENS.agentB);
    clients.push(a, b);
    const [ra, rb] = await Promise.all([
      a.callTool({ name: "whoami", arguments: { note: "x" } }),
      b.callTool({ name: "whoami", arguments: { note: "y" } }),
    ]);
    expect(ra.content).toEqual([{ type: "text", text: "agent-a/http: x" }]);
    expect(rb.content).toEqual([{ type: "text", text: "agent-b/http: y" }]);
  });

  it("serves one client session with one gateway server, and closes it on DELETE", async () => {
    const gateway = echoGateway();
    const endpoint = createMcpHttpEndpoint({ gateway });
    h = await startHttp({ app: { mcp: endpoint } });
    const transport = new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${TOKENS.agentA}` } },
    });
    const client = new Client({ name: "one-session", version: "1.0.0" });
    await client.connect(transport);
    for (const note of ["1", "2", "3"]) await client.callTool({ name: "whoami", arguments: { note } });
    expect(gateway.callers).toHaveLength(1);
    expect(endpoint.sessions()).toBe(1);
    await transport.terminateSession();
    await client.close();
    expect(endpoint.sessions()).toBe(0);
  });

  it("answers 404 to another agent presenting a session id, and serves the owner on", async () => {
    const gateway = echoGateway();
    h = await startHttp({ app: { mcp: createMcpHttpEndpoint({ gateway }) } });
    const transport = new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${TOKENS.agentA}` } },
    });
    const client = new Client({ name: "owner", version: "1.0.0" });
    await client.connect(transport);
    clients.push(client);
    const stolen = await h.call("/mcp", {
      token: TOKENS.agentB,
      headers: {
        "mcp-session-id": transport.sessionId ?? "",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
      },
      body: {
        jsonrpc: "2.0",
        id: 9,
        method: "tools/call",
        params: { name: "whoami", arguments: { note: "x" } },
      },
    });
    expect(stolen.status).toBe(404);
    const own = await client.callTool({ name: "whoami", arguments: { note: "still" } });
    expect(own.content).toEqual([{ type: "text", text: "agent-a/http: still" }]);
  });

  it("answers a JSON-RPC parse error to a body that is not JSON", async () => {
    h = await startHttp({ app: { mcp: createMcpHttpEndpoint({ gateway: echoGateway() }) } });
    const res = await h.call("/mcp", {
      token: TOKENS.agentA,
      body: "{not json",
      headers: { accept: "application/json, text/event-stream" },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it("serves a 2026-07-28 client per request, every request of one token under one session key", async () => {
    const gateway = echoGateway();
    h = await startHttp({ app: { mcp: createMcpHttpEndpoint({ gateway }) } });
    const client = new Client({ name: "modern", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${TOKENS.agentA}` } },
      }),
    );
    clients.push(client);
    const r1 = await client.callTool({ name: "whoami", arguments: { note: "a" } });
    const r2 = await client.callTool({ name: "whoami", arguments: { note: "b" } });
    expect([r1.content, r2.content]).toEqual([
      [{ type: "text", text: "agent-a/http: a" }],
      [{ type: "text", text: "agent-a/http: b" }],
    ]);
    const keyed = gateway.callers.filter((c) => c.sessionKey !== undefined);
    expect(keyed.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keyed.map((c) => c.sessionKey)).size).toBe(1);
  });

  it("has no /mcp route when no proxy is mounted", async () => {
    h = await startHttp();
    const res = await h.call("/mcp", {
      body: { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
      token: TOKENS.agentA,
    });
    expect(res.status).toBe(404);
  });

  it("closes the gateway once when the endpoint closes", async () => {
    const gateway = echoGateway();
    const endpoint = createMcpHttpEndpoint({ gateway });
    await Promise.all([endpoint.close(), endpoint.close()]);
    expect(gateway.closed).toBe(1);
  });
});
