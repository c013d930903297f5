import type { CallToolResult } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startGateway, textOf, until } from "./fixtures/gateway-harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("MCP gateway: an upstream that dies", () => {
  it("answers a clear isError, leaves the lost call's outcome unknown, and works again after a restart", async () => {
    h = await startGateway();
    const crashed = (await h.client.callTool({ name: "fx__crash", arguments: {} })) as CallToolResult;
    expect(crashed.isError).toBe(true);
    expect(textOf(crashed)).toMatch(/fx__crash: lost contact with upstream "fx" .*Its outcome is unknown/);
    expect((await h.proposals())[0]?.status).toBe("outcome_unknown");

    const down = (await h.client.callTool({ name: "fx__echo", arguments: { text: "a" } })) as CallToolResult;
    expect(down.isError).toBe(true);
    expect(textOf(down)).toContain('upstream MCP server "fx" is not connected (restarting)');
    expect((await h.proposals())[0]?.status).toBe("failed");

    let back: CallToolResult | undefined;
    await until(async () => {
      back = (await h!.client.callTool({ name: "fx__echo", arguments: { text: "b" } })) as CallToolResult;
      return !back.isError;
    }, 5_000);
    expect(textOf(back!)).toBe("b");
  });
});
