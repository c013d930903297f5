import type { CallToolResult } from "@modelcontextprotocol/client";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, mapping, startGateway, until } from "../mcp/fixtures/gateway-harness.js";
import { installOtel, type OtelHarness } from "./otel-sdk.js";

let otel: OtelHarness;
let h: Harness | undefined;
beforeAll(() => {
  otel = installOtel();
});
afterAll(() => otel.uninstall());
afterEach(async () => {
  await h?.close();
  h = undefined;
  otel.reset();
});

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const idOf = (s: ReadableSpan) => s.spanContext().spanId;

describe("the MCP proxy's execute_tool spans", () => {
  it("an allowed call: an extension tool span parenting its decision and its completion", async () => {
    h = await startGateway();
    await h.client.callTool({ name: "fx__echo", arguments: { text: "hi" } });
    await until(() => otel.named("acp.complete").length === 1);
    const [tool] = otel.named("execute_tool fx__echo");
    expect(tool?.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "fx__echo",
      "gen_ai.tool.type": "extension",
      "acp.agent.id": h.agentId,
      "acp.outcome": "allowed",
      "acp.code": "auto_approved",
    });
    expect(tool?.status.code).toBe(0);
    const [proposal] = await h.proposals();
    expect(tool?.attributes["acp.proposal.id"]).toBe(proposal!.id);
    expect(tool?.attributes["acp.session.id"]).toBe(proposal!.sessionId);
    expect(parentOf(otel.named("acp.propose")[0]!)).toBe(idOf(tool!));
    expect(parentOf(otel.named("acp.complete")[0]!)).toBe(idOf(tool!));
  });

  it("an upstream error result fails the span (tool_error); a refusal is a decision, not an error", async () => {
    h = await startGateway({
      tools: [
        { pattern: "fx__echo", mapping: mapping("nuke") },
        { pattern: "fx__*", mapping: mapping("fail") },
      ],
    });
    const failed = (await h.client.callTool({ name: "fx__fail", arguments: {} })) as CallToolResult;
    expect(failed.isError).toBe(true);
    const refused = (await h.client.callTool({
      name: "fx__echo",
      arguments: { text: "x" },
    })) as CallToolResult;
    expect(refused.isError).toBe(true);
    const [fail] = otel.named("execute_tool fx__fail");
    expect(fail?.status).toEqual({ code: 2, message: "upstream failure" });
    expect(fail?.attributes).toMatchObject({ "error.type": "tool_error", "acp.outcome": "allowed" });
    const [nuke] = otel.named("execute_tool fx__echo");
    expect(nuke?.status.code).toBe(0);
    expect(nuke?.attributes).toMatchObject({ "acp.outcome": "denied", "acp.code": "blocked_action" });
  });

  it("an approval wait is a child span, and the approved retry's decision is recorded on the tool span", async () => {
    h = await startGateway({
      tools: [{ pattern: "fx__echo", mapping: mapping("pay") }],
      approvalWaitMs: 10_000,
    });
    const call = h.client.callTool({ name: "fx__echo", arguments: { text: "pay me" } });
    let ticketId = "";
    await until(async () => {
      const [t] = await h!.cp.listTickets({ statuses: ["pending"] });
      ticketId = t?.id ?? "";
      return t !== undefined;
    });
    await h.cp.approve(ticketId, { decidedBy: "ops@example.com" });
    const result = (await call) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const [tool] = otel.named("execute_tool fx__echo");
    expect(tool?.attributes).toMatchObject({ "acp.outcome": "allowed", "acp.code": "approved" });
    const [wait] = otel.named("acp.approval_wait");
    expect(parentOf(wait!)).toBe(idOf(tool!));
    expect(wait?.attributes).toMatchObject({ "acp.ticket.id": ticketId, "acp.ticket.status": "approved" });
    expect(otel.named("acp.propose").map((s) => [parentOf(s), s.attributes["acp.outcome"]])).toEqual([
      [idOf(tool!), "pending_approval"],
      [idOf(tool!), "allowed"],
    ]);
  });
});
