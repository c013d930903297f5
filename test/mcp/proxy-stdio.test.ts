/**
 * `acp mcp-proxy` end to end with real processes: the SDK client spawns the proxy over stdio (through tsx),
 * the proxy spawns the real upstream servers, and an operator decides through an `acp serve` on the SAME
 * SQLite file with the `acp` CLI.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAcp } from "../support/run-acp.js";
import { call, type StartedServe, startServe } from "../support/serve-process.js";
import { ACP_CLI, type ProxySetup, REPO_ROOT, writeProxySetup } from "./fixtures/proxy-config.js";

type ToolResult = {
  content: { type: string; text?: string }[];
  isError?: boolean;
  _meta?: Record<string, unknown>;
};
const text = (r: unknown) => (r as ToolResult).content.map((c) => c.text ?? "").join("\n");

let setup: ProxySetup;
let client: Client;
let transport: StdioClientTransport;
let stderr = "";
let serve: StartedServe | undefined;

beforeAll(async () => {
  setup = writeProxySetup();
  transport = new StdioClientTransport({
    command: process.execPath,
    args: ["--import", "tsx", ACP_CLI, "mcp-proxy", "--config", setup.config],
    cwd: REPO_ROOT,
    stderr: "pipe",
    env: { ...process.env, ACP_DATABASE_URL: "" } as Record<string, string>,
  });
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  client = new Client({ name: "stdio-e2e", version: "1.0.0" });
  await client.connect(transport);
}, 60_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  if (serve !== undefined) {
    serve.process.kill("SIGTERM");
    await serve.exited;
  }
  setup?.remove();
});

describe("acp mcp-proxy over stdio", () => {
  it("lists the upstreams' tools under server__tool names, logging only to stderr", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "everything__echo",
        "files__read_text_file",
        "files__write_file",
        "memory__read_graph",
      ]),
    );
    expect(stderr).toContain('as agent "desktop"');
  });

  it("runs an allowed read and returns the upstream's result", async () => {
    const echo = await client.callTool({
      name: "everything__echo",
      arguments: { message: "through the proxy" },
    });
    expect(echo.isError).toBeFalsy();
    expect(text(echo)).toContain("through the proxy");
    const read = await client.callTool({
      name: "files__read_text_file",
      arguments: { path: join(setup.files, "hello.txt") },
    });
    expect(read.isError).toBeFalsy();
    expect(text(read)).toContain("hello from disk");
  });

  it("passes calls through to server-memory: an entity created is read back", async () => {
    const created = await client.callTool({
      name: "memory__create_entities",
      arguments: { entities: [{ name: "proxy-test", entityType: "note", observations: ["governed"] }] },
    });
    expect(created.isError, text(created)).toBeFalsy();
    const graph = await client.callTool({ name: "memory__read_graph", arguments: {} });
    expect(graph.isError).toBeFalsy();
    expect(text(graph)).toContain("proxy-test");
  });

  it("refuses a blocked tool with isError and the decision in _meta, and an unknown tool with -32602", async () => {
    const blocked = (await client.callTool({
      name: "everything__get-sum",
      arguments: { a: 1, b: 2 },
    })) as ToolResult;
    expect(blocked.isError).toBe(true);
    expect(text(blocked)).toMatch(/refused by the control plane/);
    expect(blocked._meta?.["agent-control-plane/decision"]).toMatchObject({ outcome: "denied" });
    await expect(client.callTool({ name: "files__nope", arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
  });

  it("writes a real file only after an operator approves with acp tickets approve on the same SQLite file", async () => {
    const target = join(setup.files, "approved.txt");
    const args = { path: target, content: "written after approval\n" };
    const first = (await client.callTool({ name: "files__write_file", arguments: args })) as ToolResult;
    expect(first.isError).toBe(true);
    const ticketId = /ticket (\S+) is still pending/.exec(text(first))?.[1];
    expect(ticketId, text(first)).toBeDefined();
    expect(existsSync(target)).toBe(false);

    serve = await startServe(["--sqlite", setup.db]);
    const env = { ACP_URL: serve.url, ACP_TOKEN: serve.adminToken };
    const approved = await runAcp(["tickets", "approve", ticketId!, "--reason", "looks fine"], env);
    expect(approved.code, approved.stderr).toBe(0);

    const retry = await client.callTool({ name: "files__write_file", arguments: args });
    expect(retry.isError, text(retry)).toBeFalsy();
    expect(readFileSync(target, "utf8")).toBe("written after approval\n");
    // The retry claimed the approved proposal: still one ticket for this write, now approved.
    const tickets = (await (
      await call(serve.url, "/v1/tickets?status=approved", { token: serve.adminToken })
    ).json()) as { items?: unknown[] } | unknown[];
    const list = Array.isArray(tickets) ? tickets : (tickets.items ?? []);
    expect(list).toHaveLength(1);
  }, 60_000);

  it("denies the next call once acp kill stops the agent", async () => {
    if (serve === undefined) serve = await startServe(["--sqlite", setup.db]);
    const env = { ACP_URL: serve.url, ACP_TOKEN: serve.adminToken };
    const killed = await runAcp(["kill", "agent", setup.agentId, "--reason", "e2e stop"], env);
    expect(killed.code, killed.stderr).toBe(0);
    const after = (await client.callTool({
      name: "everything__echo",
      arguments: { message: "x" },
    })) as ToolResult;
    expect(after.isError).toBe(true);
    expect(text(after)).toMatch(/kill|halt|stopped/i);
    await runAcp(["resume", "agent", setup.agentId], env);
  }, 60_000);

  it("records every call in the audit log with its outcome", async () => {
    if (serve === undefined) serve = await startServe(["--sqlite", setup.db]);
    const res = await call(serve.url, "/v1/proposals?agent_id=desktop&limit=100", {
      token: serve.adminToken,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as
      | { items?: { action: string; status: string }[] }
      | { action: string }[];
    const rows = (Array.isArray(body) ? body : (body.items ?? [])) as { action: string }[];
    const actions = rows.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["demo.echo", "fs.read", "fs.write", "demo.blocked"]));
  });
});
