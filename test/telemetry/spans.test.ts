import { type Span, trace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ControlPlane, createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { ValidationError } from "../../src/errors/validation-error.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { withToolSpan } from "../../src/telemetry/tool-span.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { installOtel, type OtelHarness } from "./otel-sdk.js";

let otel: OtelHarness;
beforeAll(() => {
  otel = installOtel();
});
afterAll(() => otel.uninstall());
beforeEach(() => otel.reset());

/** Runs `fn` inside a caller span named `caller` and returns that span's id with the result. */
async function inCaller<T>(fn: () => Promise<T>): Promise<{ result: T; callerId: string; traceId: string }> {
  return trace.getTracer("host").startActiveSpan("caller", async (span: Span) => {
    try {
      const result = await fn();
      return { result, callerId: span.spanContext().spanId, traceId: span.spanContext().traceId };
    } finally {
      span.end();
    }
  });
}

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const only = (name: string): ReadableSpan => {
  const found = otel.named(name);
  expect(found.map((s) => s.name)).toEqual([name]);
  return found[0]!;
};

describe("decision spans (OpenTelemetry SDK registered)", () => {
  let cp: ControlPlane;
  beforeEach(async () => {
    cp = await createControlPlane({ storage: createMemoryStorage(), policy: TEST_POLICY });
  });

  it("acp.propose is a child of the caller's span and carries the decision's attributes", async () => {
    const session = await cp.openSession({ name: "s", agentId: "bot" });
    const {
      result: d,
      callerId,
      traceId,
    } = await inCaller(() =>
      cp.propose({ sessionId: session.id, agentId: "bot", action: "read_file", resourceId: "a.txt" }),
    );
    const span = only("acp.propose");
    expect(parentOf(span)).toBe(callerId);
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.attributes).toEqual({
      "acp.action": "read_file",
      "acp.session.id": session.id,
      "acp.agent.id": "bot",
      "acp.outcome": "allowed",
      "acp.code": "auto_approved",
      "acp.tier": d.tier,
      "acp.risk": d.riskLevel,
      "acp.proposal.id": d.proposalId,
    });
    expect(span.status.code).toBe(0); // unset: a decision is a value
  });

  it("a denial is a value (no error status); a pending decision names its ticket", async () => {
    const session = await cp.openSession({});
    await cp.propose({ sessionId: session.id, action: "delete_database" });
    const denied = only("acp.propose");
    expect(denied.attributes).toMatchObject({ "acp.outcome": "denied", "acp.code": "blocked_action" });
    expect(denied.status.code).toBe(0);
    expect(denied.attributes).not.toHaveProperty("acp.ticket.id");
    otel.reset();
    const d = await cp.propose({ sessionId: session.id, action: "deploy" });
    expect(d.outcome).toBe("pending_approval");
    expect(only("acp.propose").attributes).toMatchObject({
      "acp.outcome": "pending_approval",
      "acp.code": "approval_required",
      "acp.ticket.id": d.outcome === "pending_approval" ? d.ticketId : "?",
    });
  });

  it("acp.approval_wait and acp.complete record the ticket's decision and the completion", async () => {
    const session = await cp.openSession({});
    const d = await cp.propose({ sessionId: session.id, action: "deploy" });
    if (d.outcome !== "pending_approval") throw new Error(d.outcome);
    const { callerId } = await inCaller(async () => {
      const waiting = cp.waitForDecision(d.ticketId, { timeoutMs: 10_000 });
      await cp.approve(d.ticketId, { decidedBy: "alice" });
      return waiting;
    });
    const wait = only("acp.approval_wait");
    expect(parentOf(wait)).toBe(callerId);
    expect(wait.attributes).toEqual({
      "acp.ticket.id": d.ticketId,
      "acp.wait.timeout_ms": 10_000,
      "acp.ticket.status": "approved",
      "acp.wait.timed_out": false,
      "acp.proposal.id": d.proposalId,
      "acp.session.id": session.id,
    });
    const again = await cp.propose({ sessionId: session.id, action: "deploy" });
    expect(again.outcome).toBe("allowed");
    await cp.complete(again.proposalId, { ok: false, error: "boom" });
    expect(only("acp.complete").attributes).toEqual({
      "acp.proposal.id": again.proposalId,
      "acp.completion.ok": false,
      "acp.session.id": session.id,
      "acp.action": "deploy",
      "acp.proposal.status": "failed",
    });
  });

  it("a wait that times out says so", async () => {
    const session = await cp.openSession({});
    const d = await cp.propose({ sessionId: session.id, action: "deploy" });
    if (d.outcome !== "pending_approval") throw new Error(d.outcome);
    await cp.waitForDecision(d.ticketId, { timeoutMs: 0 });
    expect(only("acp.approval_wait").attributes).toMatchObject({
      "acp.ticket.status": "pending",
      "acp.wait.timed_out": true,
    });
  });

  it("a thrown error is recorded on the span (status ERROR, error.type, exception) and rethrown unchanged", async () => {
    const session = await cp.openSession({});
    const error = await cp.propose({ sessionId: session.id, action: "" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const span = only("acp.propose");
    expect(span.status).toMatchObject({ code: 2 });
    expect(span.attributes["error.type"]).toBe("validation_failed");
    expect(span.events.map((e) => e.name)).toEqual(["exception"]);
    expect(span.attributes).not.toHaveProperty("acp.outcome");
    otel.reset();
    await expect(cp.complete("no-such-proposal", { ok: true })).rejects.toMatchObject({ code: "not_found" });
    expect(only("acp.complete").attributes["error.type"]).toBe("not_found");
  });

  it("telemetry: false creates no span; telemetry: { openTelemetry: false } neither", async () => {
    for (const telemetry of [false, { openTelemetry: false }] as const) {
      const quiet = await createControlPlane({
        storage: createMemoryStorage(),
        policy: TEST_POLICY,
        telemetry,
      });
      const s = await quiet.openSession({});
      const d = await quiet.propose({ sessionId: s.id, action: "read_file" });
      await quiet.complete(d.proposalId, { ok: true });
      expect(otel.spans()).toEqual([]);
    }
  });

  it("rejects a bad telemetry option, naming its path", async () => {
    const bad = (telemetry: unknown) =>
      createControlPlane({
        storage: createMemoryStorage(),
        policy: TEST_POLICY,
        telemetry: telemetry as never,
      });
    await expect(bad("yes")).rejects.toMatchObject({ issues: [{ path: "telemetry" }] });
    await expect(bad({ recorder: {} })).rejects.toMatchObject({ issues: [{ path: "telemetry.recorder" }] });
    await expect(bad({ openTelemtry: true })).rejects.toMatchObject({
      issues: [{ path: "telemetry.openTelemtry" }],
    });
  });
});

describe("execute_tool spans (withToolSpan)", () => {
  it("follow the GenAI conventions, are children of the caller, and parent the decision span", async () => {
    const cp = await createControlPlane({ storage: createMemoryStorage(), policy: TEST_POLICY });
    const session = await cp.openSession({ agentId: "bot" });
    const { result, callerId } = await inCaller(() =>
      withToolSpan(
        { toolName: "read_file", callId: "call-7", sessionId: session.id, agentId: "bot" },
        async (span) => {
          const d = await cp.propose({ sessionId: session.id, action: "read_file" });
          span.setDecision(d);
          await cp.complete(d.proposalId, { ok: true });
          return d;
        },
      ),
    );
    const tool = only("execute_tool read_file");
    expect(parentOf(tool)).toBe(callerId);
    expect(tool.attributes).toEqual({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "read_file",
      "gen_ai.tool.call.id": "call-7",
      "gen_ai.tool.type": "function",
      "acp.session.id": session.id,
      "acp.agent.id": "bot",
      "acp.outcome": "allowed",
      "acp.code": "auto_approved",
      "acp.tier": result.tier,
      "acp.risk": result.riskLevel,
      "acp.proposal.id": result.proposalId,
    });
    expect(parentOf(only("acp.propose"))).toBe(tool.spanContext().spanId);
    expect(parentOf(only("acp.complete"))).toBe(tool.spanContext().spanId);
  });

  it("records a failure: by fail() (once) or by a throw, which is rethrown", async () => {
    await withToolSpan({ toolName: "a", type: "extension" }, async (span) => {
      span.fail(Object.assign(new Error("upstream said no"), { code: "tool_error" }));
      span.fail(new Error("second"));
    });
    const a = only("execute_tool a");
    expect(a.status).toEqual({ code: 2, message: "upstream said no" });
    expect(a.attributes).toMatchObject({ "error.type": "tool_error", "gen_ai.tool.type": "extension" });
    expect(a.events).toHaveLength(1);
    const thrown = new TypeError("bad");
    await expect(
      withToolSpan({ toolName: "b" }, async () => {
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect(only("execute_tool b").attributes["error.type"]).toBe("TypeError");
  });
});
