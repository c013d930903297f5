import { createHash } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import type { McpPinObserver } from "../../src/mcp/gateway-routes.js";
import {
  decisionOf,
  EVERYTHING_STDIO,
  type Harness,
  mapping,
  startGateway,
  textOf,
  until,
} from "./fixtures/gateway-harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("MCP gateway: calls in flight", () => {
  it("a kill switch engaged during a slow call cancels it upstream, and the next call is denied", async () => {
    h = await startGateway();
    const started = Date.now();
    const call = h.client.callTool({ name: "fx__slow", arguments: { ms: 10_000 } });
    await until(() => h!.fixtureLog().includes("call slow"));
    await h.cp.kill({ scope: "agent", agentId: h.agentId, reason: "runaway agent" });
    const result = (await call) as CallToolResult;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("kill switch (agent: mcp-agent): runaway agent");
    await until(() => h!.fixtureLog().includes("cancelled slow"));
    const [proposal] = await h.proposals();
    expect(proposal?.status).toBe("outcome_unknown");
    const next = (await h.client.callTool({ name: "fx__echo", arguments: { text: "x" } })) as CallToolResult;
    expect(next.isError).toBe(true);
    expect(decisionOf(next)).toMatchObject({ outcome: "denied", code: "kill_switch" });
    expect(h.fixtureLog().filter((l) => l === "call echo")).toEqual([]);
  });

  it("a session-scope kill cancels that session's in-flight call only", async () => {
    h = await startGateway();
    const other = await h.connectRaw();
    const { Client } = await import("@modelcontextprotocol/client");
    const bystander = new Client({ name: "bystander", version: "1" });
    await bystander.connect(other);
    const call = h.client.callTool({ name: "fx__slow", arguments: { ms: 10_000 } });
    const spared = bystander.callTool({ name: "fx__slow", arguments: { ms: 800 } });
    await until(() => h!.fixtureLog().filter((l) => l === "call slow").length === 2);
    const target = (await h.cp.listSessions()).find((s) => s.name?.startsWith("test-client"));
    await h.cp.kill({ scope: "session", sessionId: target!.id, reason: "this one only" });
    const killed = (await call) as CallToolResult;
    expect(textOf(killed)).toContain("kill switch (session");
    expect(((await spared) as CallToolResult).isError).toBeFalsy();
    await bystander.close();
  });

  it("heartbeats the lease of a long call so recovery does not take it", async () => {
    h = await startGateway({ lockTtlMs: 300, heartbeatMs: 50 });
    const call = h.client.callTool({ name: "fx__slow", arguments: { ms: 1_200 } });
    await until(() => h!.fixtureLog().includes("call slow"));
    await new Promise((r) => setTimeout(r, 700)); // well past the 300 ms lease without heartbeats
    const report = await h.cp.recover();
    expect(report.outcomeUnknown).toBe(0);
    const result = (await call) as CallToolResult;
    expect(textOf(result)).toBe("slept 1200");
    expect((await h.proposals())[0]?.status).toBe("succeeded");
  });

  it("without heartbeats (control) recovery takes the same call's lease", async () => {
    h = await startGateway({ lockTtlMs: 300, heartbeatMs: 60_000 });
    const call = h.client.callTool({ name: "fx__slow", arguments: { ms: 1_000 } });
    await until(() => h!.fixtureLog().includes("call slow"));
    await new Promise((r) => setTimeout(r, 500));
    expect((await h.cp.recover()).outcomeUnknown).toBe(1);
    await call;
  });

  it("a client cancel after dispatch cancels upstream and records outcome_unknown", async () => {
    h = await startGateway();
    const controller = new AbortController();
    const call = h.client
      .callTool({ name: "fx__slow", arguments: { ms: 10_000 } }, { signal: controller.signal })
      .catch((e: unknown) => e);
    await until(() => h!.fixtureLog().includes("call slow"));
    controller.abort("user pressed stop");
    await call;
    await until(() => h!.fixtureLog().includes("cancelled slow"));
    await until(async () => (await h!.proposals())[0]?.status === "outcome_unknown");
    const events = await h.cp.events((await h.proposals())[0]!.sessionId);
    expect(events.map((e) => e.kind)).toContain("outcome_unknown");
  });
});

/** A pin store in memory: pins on first sight, `changed` when the definition differs. */
function memoryPins(): McpPinObserver {
  const pinned = new Map<string, string>();
  return {
    async observe(server, tool, definition) {
      const key = `${server}/${tool}`;
      const fp = createHash("sha256").update(JSON.stringify(definition)).digest("hex");
      const known = pinned.get(key);
      if (known === undefined) {
        pinned.set(key, fp);
        return "new";
      }
      return known === fp ? "same" : "changed";
    },
  };
}

describe("MCP gateway: tool definitions", () => {
  it("holds a tool whose definition changed: not listed, and a call names it and asks for an operator", async () => {
    h = await startGateway({ pins: memoryPins() });
    expect((await h.client.listTools()).tools.map((t) => t.name)).toContain("fx__mutable");
    await h.client.callTool({ name: "fx__mutate", arguments: {} });
    await until(async () => !(await h!.client.listTools()).tools.some((t) => t.name === "fx__mutable"));
    const result = (await h.client.callTool({ name: "fx__mutable", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(
      'fx__mutable is held: the definition of tool "mutable" on server "fx" changed',
    );
    expect(textOf(result)).toContain("operator must review and accept");
    expect(h.fixtureLog()).not.toContain("call mutable");
  });

  it("with the storage's pin store: held after a change, usable and listed again once an operator accepts", async () => {
    h = await startGateway({ pinned: true });
    await h.client.callTool({ name: "fx__mutate", arguments: {} });
    await until(async () => !(await h!.client.listTools()).tools.some((t) => t.name === "fx__mutable"));
    const held = (await h.client.callTool({ name: "fx__mutable", arguments: {} })) as CallToolResult;
    expect(held.isError).toBe(true);
    const pin = await h.storage.read((tx) => tx.toolPins.get("fx", "mutable"));
    expect(pin?.pendingFingerprint).toMatch(/^[0-9a-f]{64}$/);
    await h.storage.transaction((tx) =>
      tx.toolPins.accept("fx", "mutable", pin!.pendingFingerprint!, "ops@example.com", Date.now()),
    );
    const accepted = (await h.client.callTool({ name: "fx__mutable", arguments: {} })) as CallToolResult;
    expect(accepted.isError).toBeFalsy();
    expect(textOf(accepted)).toBe("mutable v2");
    expect((await h.client.listTools()).tools.map((t) => t.name)).toContain("fx__mutable");
  });

  it("forwards to server-everything, a real upstream, through the same governance", async () => {
    h = await startGateway({
      extraServers: {
        everything: EVERYTHING_STDIO,
      },
      tools: [{ pattern: "everything__*", mapping: mapping("everything") }],
    });
    const names = (await h.client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("everything__echo");
    const result = (await h.client.callTool({
      name: "everything__echo",
      arguments: { message: "via proxy" },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain("via proxy");
    expect((await h.proposals())[0]).toMatchObject({ action: "everything", status: "succeeded" });
  });
});
