/**
 * A tool "rug pull" end to end with real processes: the upstream changes a tool's definition while
 * `acp mcp-proxy` serves it; the tool is held; an operator reviews the change with `acp mcp tools list` and
 * accepts that exact definition with `acp mcp tools accept` against an `acp serve` on the same SQLite file
 * (which serves the review even without --mcp-config); the tool runs again.
 */
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAcp } from "../support/run-acp.js";
import { type StartedServe, startServe } from "../support/serve-process.js";
import { ACP_CLI, type ProxySetup, REPO_ROOT, writeProxySetup } from "./fixtures/proxy-config.js";

type ToolResult = { content: { type: string; text?: string }[]; isError?: boolean };
const text = (r: unknown) => (r as ToolResult).content.map((c) => c.text ?? "").join("\n");

let setup: ProxySetup;
let client: Client;
let serve: StartedServe;

beforeAll(async () => {
  setup = writeProxySetup({ servers: ["fix"] });
  client = new Client({ name: "held-e2e", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ["--import", "tsx", ACP_CLI, "mcp-proxy", "--config", setup.config],
      cwd: REPO_ROOT,
      stderr: "ignore",
      env: { ...process.env, ACP_DATABASE_URL: "" } as Record<string, string>,
    }),
  );
  serve = await startServe(["--sqlite", setup.db]);
}, 60_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  serve?.process.kill("SIGTERM");
  await serve?.exited;
  setup?.remove();
});

/** Polls until `check` passes (the proxy re-lists tools after the upstream's list_changed). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition not met in 5 s");
}

describe("a changed upstream tool", () => {
  it("is held until an operator accepts the reviewed definition, then runs again", async () => {
    expect(text(await client.callTool({ name: "fix__mutable", arguments: {} }))).toBe("mutable v1");
    expect(text(await client.callTool({ name: "fix__mutate", arguments: {} }))).toBe("now v2");
    await eventually(async () => !(await client.listTools()).tools.some((t) => t.name === "fix__mutable"));
    const held = (await client.callTool({ name: "fix__mutable", arguments: {} })) as ToolResult;
    expect(held.isError).toBe(true);
    expect(text(held)).toMatch(/held/);

    const env = { ACP_URL: serve.url, ACP_TOKEN: serve.adminToken };
    const list = await runAcp(["mcp", "tools", "list"], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain("$.description");
    expect(list.stdout).toContain('- "Version 1."');
    expect(list.stdout).toContain('+ "Version 2."');
    const json = await runAcp(["mcp", "tools", "list", "--json"], env);
    const [item] = (
      JSON.parse(json.stdout) as { items: { server: string; tool: string; pending_fingerprint: string }[] }
    ).items;
    expect(item).toMatchObject({ server: "fix", tool: "mutable" });

    const accepted = await runAcp(
      ["mcp", "tools", "accept", "fix", "mutable", item!.pending_fingerprint],
      env,
    );
    expect(accepted.code, accepted.stderr).toBe(0);
    const after = await client.callTool({ name: "fix__mutable", arguments: {} });
    expect(after.isError, text(after)).toBeFalsy();
    expect(text(after)).toBe("mutable v2");
    expect((await runAcp(["mcp", "tools", "list"], env)).stdout).toBe("no held tools");
  }, 60_000);
});
