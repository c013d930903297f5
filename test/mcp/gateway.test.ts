import { type CallToolResult, Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import {
  decisionOf,
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

describe("MCP gateway: listing and forwarding", () => {
  it("lists the upstream's tools under exposed names, without hidden ones", async () => {
    h = await startGateway({
      tools: [
        { pattern: "fx__fail", mapping: mapping("fail", { hide: true }) },
        { pattern: "fx__*", mapping: mapping("echo") },
      ],
    });
    const names = (await h.client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(["fx__crash", "fx__echo", "fx__mutable", "fx__mutate", "fx__slow"]);
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
    const [proposal] = await h.proposals();
    expect(proposal).toMatchObject({
      action: "echo",
      status: "succeeded",
      agentId: h.agentId,
      resourceId: null,
    });
    expect(proposal?.args).toEqual({ text: "hello" });
    const session = await h.cp.getSession(proposal!.sessionId);
    expect(session.name).toMatch(/^test-client 1\.2 #[0-9a-f]{8}$/);
    const kinds = (await h.cp.events(session.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["proposal_decided", "execution_completed"]));
    expect(h.fixtureLog()).toEqual(["call echo"]);
  });

  it("gives each client connection its own session, closed when the connection closes", async () => {
    h = await startGateway();
    await h.client.callTool({ name: "fx__echo", arguments: { text: "a" } });
    const raw = await h.connectRaw();
    const second = new Client({ name: "test-client", version: "1.2" });
    await second.connect(raw);
    await second.callTool({ name: "fx__echo", arguments: { text: "b" } });
    const sessions = await h.cp.listSessions();
    expect(sessions).toHaveLength(2);
    expect(new Set(sessions.map((s) => s.name)).size).toBe(2);
    await second.close();
    await until(async () => (await h!.cp.listSessions({ statuses: ["completed"] })).length === 1);
  });

  it("servers created with the same sessionKey share one session, so an approval's identical retry claims it", async () => {
    h = await startGateway({ tools: [{ pattern: "fx__echo", mapping: mapping("pay") }], approvalWaitMs: 50 });
    const perRequest = async () => {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await h!.gateway.serverFor({ agentId: h!.agentId, sessionKey: "token-1" }).connect(serverSide);
      const client = new Client({ name: "http-client", version: "1" });
      await client.connect(clientSide);
      return client;
    };
    const first = await perRequest();
    const pending = (await first.callTool({ name: "fx__echo", arguments: { text: "x" } })) as CallToolResult;
    await first.close();
    await h.cp.approve(decisionOf(pending).ticketId as string, { decidedBy: "ops@example.com" });
    const second = await perRequest();
    const retry = (await second.callTool({ name: "fx__echo", arguments: { text: "x" } })) as CallToolResult;
    await second.close();
    expect(textOf(retry)).toBe("x");
    expect(await h.cp.listSessions()).toHaveLength(1);
    expect(await h.cp.listTickets()).toHaveLength(1);
  });

  it("records an upstream isError result as a failed proposal", async () => {
    h = await startGateway();
    const result = (await h.client.callTool({ name: "fx__fail", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe("upstream failure");
    const [proposal] = await h.proposals();
    expect(proposal).toMatchObject({ status: "failed", error: "upstream failure" });
  });

  it("runs parallel calls of one tool (no resource configured: no resource lock)", async () => {
    h = await startGateway();
    const results = (await Promise.all(
      [1, 2, 3].map(() => h!.client.callTool({ name: "fx__slow", arguments: { ms: 200 } })),
    )) as CallToolResult[];
    expect(results.map((r) => r.isError ?? false)).toEqual([false, false, false]);
  });

  it("locks a configured resource: a second call on it while the first runs is refused", async () => {
    h = await startGateway({
      tools: [{ pattern: "fx__slow", mapping: mapping("slow", { resource: { argument: "file" } }) }],
    });
    const first = h.client.callTool({ name: "fx__slow", arguments: { ms: 400, file: "a.txt" } });
    await until(() => h!.fixtureLog().includes("call slow"));
    const second = (await h.client.callTool({
      name: "fx__slow",
      arguments: { ms: 1, file: "a.txt" },
    })) as CallToolResult;
    expect(decisionOf(second)).toMatchObject({ code: "resource_locked" });
    expect(((await first) as CallToolResult).isError).toBeFalsy();
    // The answer goes out before the outcome is recorded, but the same client's next call waits for it.
    const again = (await h.client.callTool({
      name: "fx__slow",
      arguments: { ms: 1, file: "a.txt" },
    })) as CallToolResult;
    expect(again.isError).toBeFalsy();
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
    expect(await h.proposals()).toHaveLength(0);
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

  it("refuses a call past the session's budget with budget_exhausted", async () => {
    h = await startGateway({
      sessionBudget: { maxCost: "3" },
      tools: [{ pattern: "fx__echo", mapping: mapping("echo", { cost: { value: 2 } }) }],
    });
    const first = (await h.client.callTool({ name: "fx__echo", arguments: { text: "1" } })) as CallToolResult;
    expect(first.isError).toBeFalsy();
    const second = (await h.client.callTool({
      name: "fx__echo",
      arguments: { text: "2" },
    })) as CallToolResult;
    expect(second.isError).toBe(true);
    expect(textOf(second)).toMatch(/^fx__echo refused by the control plane \[budget_exhausted\]/);
    expect(decisionOf(second)).toMatchObject({ outcome: "denied", code: "budget_exhausted" });
    expect(h.fixtureLog()).toEqual(["call echo"]);
  });

  it("refuses an unmapped tool (fail closed) without forwarding it", async () => {
    h = await startGateway({ tools: [{ pattern: "fx__slow", mapping: mapping("slow") }] });
    const result = (await h.client.callTool({ name: "fx__echo", arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(decisionOf(result)).toMatchObject({ code: "unmapped_tool" });
    expect(h.fixtureLog()).toEqual([]);
  });

  it("refuses a call whose cost argument is missing (never a cost of 0), naming the path", async () => {
    h = await startGateway({
      tools: [{ pattern: "fx__echo", mapping: mapping("echo", { cost: { argument: "amount" } }) }],
    });
    const result = (await h.client.callTool({
      name: "fx__echo",
      arguments: { text: "x" },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("args.amount is missing");
    expect(decisionOf(result)).toMatchObject({ code: "invalid_arguments" });
    expect(h.fixtureLog()).toEqual([]);
    const paid = (await h.client.callTool({
      name: "fx__echo",
      arguments: { text: "y", amount: "2.5" },
    })) as CallToolResult;
    expect(paid.isError).toBeFalsy();
    expect((await h.proposals())[0]).toMatchObject({ cost: "2.5", status: "succeeded" });
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
    expect((await h.proposals()).map((p) => p.status)).toEqual(["succeeded"]);
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
