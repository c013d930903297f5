import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startGateway } from "./fixtures/gateway-harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("MCP gateway: malformed requests", () => {
  it("answers JSON-RPC errors to malformed tools/call requests and keeps serving", async () => {
    h = await startGateway();
    const raw = await h.connectRaw();
    const replies = new Map<number, JSONRPCMessage>();
    raw.onmessage = (message) => {
      if ("id" in message && typeof message.id === "number") replies.set(message.id, message);
    };
    await raw.start();
    const send = async (id: number, method: string, params: unknown) => {
      await raw.send({ jsonrpc: "2.0", id, method, params } as JSONRPCMessage);
      for (let i = 0; i < 300 && !replies.has(id); i++) await new Promise((r) => setTimeout(r, 10));
      return replies.get(id) as { error?: { code: number; message: string }; result?: unknown };
    };
    const init = await send(1, "initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "raw", version: "0" },
    });
    expect(init.result).toBeDefined();
    await raw.send({ jsonrpc: "2.0", method: "notifications/initialized" } as JSONRPCMessage);

    expect((await send(2, "tools/call", { name: 42 })).error?.code).toBe(-32602);
    expect((await send(3, "tools/call", { name: "fx__echo", arguments: [1, 2] })).error?.code).toBe(-32602);
    expect((await send(4, "tools/call", {})).error?.code).toBe(-32602);
    expect((await send(5, "no/such/method", {})).error?.code).toBe(-32601);
    expect(await h.proposals()).toHaveLength(0);

    const ok = await send(6, "tools/call", { name: "fx__echo", arguments: { text: "alive" } });
    expect(ok.result).toMatchObject({ content: [{ type: "text", text: "alive" }] });
    // The first client's connection is unaffected.
    expect((await h.client.listTools()).tools.length).toBeGreaterThan(0);
  });
});
