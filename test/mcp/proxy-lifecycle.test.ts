/**
 * `acp mcp-proxy` as a process: stdout carries only the protocol, a malformed message gets a JSON-RPC error
 * and the proxy stays up, and it exits cleanly when stdin closes or on SIGTERM. Raw pipes, no SDK client, so
 * every byte on stdout is checked.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { runAcp } from "../support/run-acp.js";
import { ACP_CLI, type ProxySetup, REPO_ROOT, writeProxySetup } from "./fixtures/proxy-config.js";

interface RawProxy {
  readonly proc: ChildProcess;
  /** Every stdout line so far, each parsed as JSON (a line that is not JSON fails the test). */
  readonly messages: Record<string, unknown>[];
  stderr(): string;
  send(line: string): void;
  /** Resolves with the first message whose `id` is `id`. */
  reply(id: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<number | string>;
}

function startRaw(setup: ProxySetup): RawProxy {
  const proc = spawn(process.execPath, ["--import", "tsx", ACP_CLI, "mcp-proxy", "--config", setup.config], {
    cwd: REPO_ROOT,
    env: { ...process.env, ACP_DATABASE_URL: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const messages: Record<string, unknown>[] = [];
  let buffer = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines)
      if (line.trim() !== "") messages.push(JSON.parse(line) as Record<string, unknown>);
    for (const w of [...waiters]) w();
  });
  proc.on("exit", () =>
    setImmediate(() => {
      for (const w of [...waiters]) w();
    }),
  );
  proc.stderr!.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  const exited = new Promise<number | string>((done) =>
    proc.on("exit", (code, sig) => done(code ?? sig ?? "?")),
  );
  return {
    proc,
    messages,
    stderr: () => stderr,
    send: (line) => proc.stdin!.write(`${line}\n`),
    reply: (id) =>
      new Promise((found, fail) => {
        const timer = setTimeout(() => fail(new Error(`no reply ${id}; stderr:\n${stderr}`)), 30_000);
        const check = () => {
          const m = messages.find((x) => x.id === id);
          if (m === undefined) {
            if (proc.exitCode !== null)
              fail(new Error(`exited ${proc.exitCode} before reply ${id}:\n${stderr}`));
            return;
          }
          waiters.delete(check);
          clearTimeout(timer);
          found(m);
        };
        waiters.add(check);
        check();
      }),
    exited,
  };
}

const INIT = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
});

let setup: ProxySetup | undefined;
let proxy: RawProxy | undefined;
afterEach(async () => {
  if (proxy !== undefined && proxy.proc.exitCode === null) proxy.proc.kill("SIGKILL");
  await proxy?.exited;
  proxy = undefined;
  setup?.remove();
  setup = undefined;
});

describe("acp mcp-proxy as a process", () => {
  it("answers malformed JSON-RPC with errors and keeps serving; stdout holds only JSON-RPC", async () => {
    setup = writeProxySetup({ servers: ["everything"] });
    proxy = startRaw(setup);
    proxy.send(INIT);
    expect(await proxy.reply(1)).toMatchObject({ result: { serverInfo: { name: "agent-control-plane" } } });
    proxy.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    proxy.send("this is not json");
    proxy.send(JSON.stringify({ hello: "not json-rpc" }));
    proxy.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "no/such/method" }));
    expect(await proxy.reply(2)).toMatchObject({ error: { code: -32601 } });
    proxy.send(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: 42 } }));
    expect((await proxy.reply(3)).error).toBeDefined();
    proxy.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 4,
        method: "tools/call",
        params: { name: "everything__echo", arguments: { message: "still alive" } },
      }),
    );
    const alive = (await proxy.reply(4)) as { result: { content: { text: string }[] } };
    expect(alive.result.content[0]!.text).toContain("still alive");
    expect(proxy.messages.every((m) => m.jsonrpc === "2.0")).toBe(true);
    const parseError = proxy.messages.find(
      (m) => (m.error as { code?: number } | undefined)?.code === -32700,
    );
    expect(parseError, JSON.stringify(proxy.messages)).toMatchObject({ id: null });
    expect(proxy.messages.some((m) => (m.error as { code?: number } | undefined)?.code === -32600)).toBe(
      true,
    );
    expect(proxy.proc.exitCode).toBeNull();
  }, 60_000);

  it("exits 0 when the client closes stdin", async () => {
    setup = writeProxySetup({ servers: ["everything"] });
    proxy = startRaw(setup);
    proxy.send(INIT);
    await proxy.reply(1);
    proxy.proc.stdin!.end();
    expect(await proxy.exited).toBe(0);
    expect(proxy.stderr()).toContain("stopped (stdin closed)");
  }, 60_000);

  it("exits 0 on SIGTERM", async () => {
    setup = writeProxySetup({ servers: ["everything"] });
    proxy = startRaw(setup);
    proxy.send(INIT);
    await proxy.reply(1);
    proxy.proc.kill("SIGTERM");
    expect(await proxy.exited).toBe(0);
    expect(proxy.stderr()).toContain("stopped (SIGTERM)");
  }, 60_000);

  it("refuses a bad config with exit 2 naming the file and the path, starting nothing", async () => {
    setup = writeProxySetup({ servers: ["everything"] });
    const { writeFileSync } = await import("node:fs");
    writeFileSync(setup.config, "storage: { sqlite: acp.db }\nmcpServers: {}\ntools:\n  x: { actoin: a }\n");
    const run = await runAcp(["mcp-proxy", "--config", setup.config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(setup.config);
    expect(run.stderr).toMatch(/tools\.x\.actoin/);
    expect(run.stdout).toBe("");
  });
});
