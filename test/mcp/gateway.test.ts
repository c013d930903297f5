import type { CallToolResult } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { DECISION_META_KEY } from "../../src/mcp/call-results.js";
import { type Harness, mapping, startGateway } from "./fixtures/gateway-harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const decisionOf = (r: CallToolResult) => r._meta?.[DECISION_META_KEY] as Record<string, unknown>;

describe("MCP gateway: listing and forwarding", () => {
  it("lists the upstream's tools under exposed names, without hidden ones", async () => {
    h = await startGateway({
      tools: [
        { pattern: "fx__fail", mapping: mapping("fail", { hide: true }) },
        { pattern: "fx__*", mapping: mapping("echo") },
      ],
    });
    const names = (await h.client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(["fx__echo", "fx__mutable", "fx__mutate", "fx__slow"]);
  });

  it("forwards an allowed call, returns the upstream result and completes the proposal in the audit log", async () => {
    h = await startGateway();
    const result = (await h.client.callTool({
      name: "fx__echo",
      arguments: { text: "hello" },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe("hello");
    expect(decisionOf(result)).toMatchObject({ outcome: "allowed", code: "auto_approved" });
    const [proposal] = await h.cp.listProposals();
    expect(proposal).toMatchObject({
      action: "echo",
      status: "succeeded",
      agentId: h.agentId,
      resourceId: "fx__echo",
    });
    expect(proposal?.args).toEqual({ text: "hello" });
    const session = await h.cp.getSession(proposal!.sessionId);
    expect(session.name).toMatch(/^test-client 1\.2 #[0-9a-f]{8}$/);
    const kinds = (await h.cp.events(session.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["proposal_decided", "execution_completed"]));
    expect(h.fixtureLog()).toEqual(["call echo"]);
  });

  it("records an upstream isError result as a failed proposal", async () => {
    h = await startGateway();
    const result = (await h.client.callTool({ name: "fx__fail", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe("upstream failure");
    const [proposal] = await h.cp.listProposals();
    expect(proposal).toMatchObject({ status: "failed", error: "upstream failure" });
  });
});

describe("MCP gateway: refusals", () => {
  it("answers -32602 for an unknown or hidden tool and for non-object arguments, and stays up", async () => {
    h = await startGateway({ tools: [{ pattern: "fx__fail", mapping: mapping("fail", { hide: true }) }] });
    await expect(h.client.callTool({ name: "nope__tool", arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
    await expect(h.client.callTool({ name: "fx__fail", arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
    expect(await h.cp.listProposals()).toHaveLength(0);
    expect(h.fixtureLog()).toEqual([]);
    expect((await h.client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it("refuses a blocked tool with isError, the code first and the decision in _meta, never forwarding it", async () => {
    h = await startGateway({ tools: [{ pattern: "fx__echo", mapping: mapping("nuke") }] });
    const result = (await h.client.callTool({
      name: "fx__echo",
      arguments: { text: "x" },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^fx__echo refused by the control plane \[blocked_action\]/);
    expect(decisionOf(result)).toMatchObject({ outcome: "denied", code: "blocked_action" });
    expect(h.fixtureLog()).toEqual([]);
  });

  it("refuses a steered tool with the guidance and the alternatives", async () => {
    h = await startGateway({ tools: [{ pattern: "fx__echo", mapping: mapping("risky") }] });
    const result = (await h.client.callTool({ name: "fx__echo", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("[steered]");
    expect(textOf(result)).toContain("Alternatives: echo");
    expect(decisionOf(result)).toMatchObject({
      outcome: "steered",
      steering: { suggestedActions: ["echo"] },
    });
  });

  it("refuses an unmapped tool (fail closed) without forwarding it", async () => {
    h = await startGateway({ tools: [{ pattern: "fx__slow", mapping: mapping("slow") }] });
    const result = (await h.client.callTool({ name: "fx__echo", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(decisionOf(result)).toMatchObject({ code: "unmapped_tool" });
    expect(h.fixtureLog()).toEqual([]);
  });

  it("answers -32602 naming the path when the argument the cost is read from is missing", async () => {
    h = await startGateway({
      tools: [{ pattern: "fx__echo", mapping: mapping("echo", { cost: { argument: "args.amount" } }) }],
    });
    await expect(h.client.callTool({ name: "fx__echo", arguments: { text: "x" } })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining("args.amount"),
    });
  });
});

describe("MCP gateway: approvals", () => {
  it("pending → operator approves → the identical retry runs once, with no second ticket", async () => {
    h = await startGateway({
      tools: [{ pattern: "fx__echo", mapping: mapping("pay") }],
      approvalWaitMs: 100,
    });
    const args = { text: "pay me" };
    const first = (await h.client.callTool({ name: "fx__echo", arguments: args })) as CallToolResult;
    expect(first.isError).toBe(true);
    const ticketId = decisionOf(first).ticketId as string;
    expect(textOf(first)).toContain(`ticket ${ticketId}`);
    expect(textOf(first)).toContain("Retry the same call");
    expect(h.fixtureLog()).toEqual([]);
    await h.cp.approve(ticketId, { decidedBy: "ops@example.com" });
    const retry = (await h.client.callTool({ name: "fx__echo", arguments: args })) as CallToolResult;
    expect(retry.isError).toBeFalsy();
    expect(textOf(retry)).toBe("pay me");
    expect(await h.cp.listTickets()).toHaveLength(1);
    expect(h.fixtureLog()).toEqual(["call echo"]);
    expect((await h.cp.listProposals()).map((p) => p.status)).toEqual(["succeeded"]);
  });

  it("an approval granted while the call waits runs it in the same call", async () => {
    h = await startGateway({
      tools: [{ pattern: "fx__echo", mapping: mapping("pay") }],
      approvalWaitMs: 5_000,
    });
    const pending = h.client.callTool({ name: "fx__echo", arguments: { text: "now" } });
    let ticketId: string | undefined;
    while (!ticketId) {
      ticketId = (await h.cp.listTickets({ statuses: ["pending"] }))[0]?.id;
      await new Promise((r) => setTimeout(r, 10));
    }
    await h.cp.approve(ticketId, { decidedBy: "ops@example.com" });
    const result = (await pending) as CallToolResult;
    expect(textOf(result)).toBe("now");
  });

  it("a denied ticket is a refusal naming it", async () => {
    h = await startGateway({
      tools: [{ pattern: "fx__echo", mapping: mapping("pay") }],
      approvalWaitMs: 5_000,
    });
    const pending = h.client.callTool({ name: "fx__echo", arguments: {} });
    let ticketId: string | undefined;
    while (!ticketId) {
      ticketId = (await h.cp.listTickets({ statuses: ["pending"] }))[0]?.id;
      await new Promise((r) => setTimeout(r, 10));
    }
    await h.cp.deny(ticketId, { decidedBy: "ops@example.com", reason: "no" });
    const result = (await pending) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`ticket ${ticketId} was denied by ops@example.com: no`);
    expect(h.fixtureLog()).toEqual([]);
  });
});
