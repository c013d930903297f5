import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import type { CallToolResult } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { EVERYTHING_SERVER, type Harness, mapping, startGateway } from "./fixtures/gateway-harness.js";

let h: Harness | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  child?.kill();
  child = undefined;
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/** Starts server-everything over Streamable HTTP on a random loopback port; resolves once it listens. */
async function everythingOverHttp(): Promise<string> {
  const port = await freePort();
  const proc = spawn(process.execPath, [EVERYTHING_SERVER, "streamableHttp"], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child = proc;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("server-everything did not start")), 10_000);
    proc.stderr?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on("exit", (code) => reject(new Error(`server-everything exited with ${code}`)));
  });
  return `http://127.0.0.1:${port}/mcp`;
}

describe("MCP gateway: a Streamable HTTP upstream", () => {
  it("lists and forwards to server-everything over HTTP on a loopback port, governed the same way", async () => {
    const url = await everythingOverHttp();
    h = await startGateway({
      extraServers: { web: { transport: "http", url, headers: {} } },
      tools: [
        { pattern: "web__echo", mapping: mapping("everything") },
        { pattern: "web__get-sum", mapping: mapping("nuke") },
      ],
    });
    const names = (await h.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["web__echo", "web__get-sum"]));
    const echoed = (await h.client.callTool({
      name: "web__echo",
      arguments: { message: "over http" },
    })) as CallToolResult;
    expect(echoed.isError).toBeFalsy();
    expect((echoed.content[0] as { text: string }).text).toContain("over http");
    const blocked = (await h.client.callTool({
      name: "web__get-sum",
      arguments: { a: 1, b: 2 },
    })) as CallToolResult;
    expect(blocked.isError).toBe(true);
    expect((await h.proposals()).map((p) => p.status).sort()).toEqual(["denied", "succeeded"]);
  });
});
