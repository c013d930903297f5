import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineToolInputGuardrail, RunContext, RunState, run, tool } from "@openai/agents";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ScriptedModel } from "../../../examples/openai-agents-scripted-model.js";
import {
  approvalRequests,
  governedTool,
  isGovernedTool,
  resolveInterruptions,
} from "../../../src/adapters/openai-agents/index.js";
import type { ControlPlane } from "../../../src/control-plane/control-plane.js";
import { fileControlPlane, weatherAgent } from "./fixture.js";

let dir: string;
let cp: ControlPlane;
let close: () => Promise<void>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "acp-openai-agents-"));
  ({ cp, close } = await fileControlPlane(join(dir, "cp.db")));
});
afterEach(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

async function session(budget?: { maxActions?: number; maxCost?: string }) {
  return cp.openSession({ agentId: "assistant", ...(budget ? { budget } : {}) });
}

describe("governedTool (@openai/agents)", () => {
  it("executes an allowed call once and completes its proposal", async () => {
    const s = await session();
    const { agent, model, log } = weatherAgent(cp, [{ tool: "get_weather", args: { city: "Paris" } }]);
    const result = await run(agent, "Weather in Paris?", { context: { sessionId: s.id } });
    expect(log.runs.get_weather).toBe(1);
    expect(result.finalOutput).toBe("get_weather: The weather in Paris is sunny.");
    expect(model.lastSeen).toEqual([
      { callId: "call_0", name: "get_weather", output: "The weather in Paris is sunny." },
    ]);
    const proposals = await cp.listProposals({ sessionId: s.id });
    expect(proposals.map((p) => [p.action, p.resourceId, p.status])).toEqual([
      ["get_weather", "Paris", "succeeded"],
    ]);
    expect((await cp.getSession(s.id)).budget.usedActions).toBe(1);
  });

  it("sends a blocked call back to the model as a tool error carrying the reason", async () => {
    const s = await session();
    const { agent, model, log } = weatherAgent(cp, [{ tool: "drop_database", args: { name: "prod" } }]);
    await run(agent, "Drop prod", { context: { sessionId: s.id } });
    expect(log.runs.drop_database).toBeUndefined();
    const proposals = await cp.listProposals({ sessionId: s.id });
    expect(proposals).toHaveLength(1); // needsApproval and the guardrail share one decision
    const [proposal] = proposals;
    expect(proposal).toMatchObject({ action: "drop_database", status: "denied", code: "blocked_action" });
    expect(model.lastSeen).toHaveLength(1);
    expect(model.lastSeen[0]?.output).toContain(proposal!.reason);
  });

  it("surfaces an approval-tier call as an interruption and runs it once after an operator approves", async () => {
    const s = await session();
    const calls = [{ tool: "issue_refund", args: { orderId: "o-42", amount: 30 } }];
    const first = weatherAgent(cp, calls);
    const paused = await run(first.agent, "Refund o-42", { context: { sessionId: s.id } });
    expect(paused.interruptions.map((i) => i.name)).toEqual(["issue_refund"]);
    expect(first.log.runs.issue_refund).toBeUndefined();
    const requests = await approvalRequests(paused);
    const [pending] = await cp.listTickets({ sessionId: s.id, statuses: ["pending"] });
    expect(requests.map((r) => [r.callId, r.ticketId])).toEqual([["call_0", pending!.id]]);

    // Not approved yet: resolving leaves the item pending, whatever the host wishes.
    const saved = paused.state.toString();
    const early = await RunState.fromString(first.agent, saved);
    expect((await resolveInterruptions(early, requests)).map((r) => r.status)).toEqual(["pending"]);

    await cp.approve(pending!.id, { decidedBy: "ops@example.com", reason: "customer verified" });
    const second = weatherAgent(cp, calls);
    const state = await RunState.fromString(second.agent, saved);
    const resolved = await resolveInterruptions(state, requests);
    expect(resolved.map((r) => [r.callId, r.status, r.ticketId])).toEqual([
      ["call_0", "approved", pending!.id],
    ]);
    const done = await run(second.agent, state);
    expect(second.log.runs.issue_refund).toBe(1);
    expect(done.finalOutput).toBe("issue_refund: Refunded 30 on order o-42.");
    const proposals = await cp.listProposals({ sessionId: s.id });
    expect(proposals.map((p) => p.status)).toEqual(["succeeded"]);
  });

  it("rejects the interruption when the operator denies the ticket, with the operator's reason", async () => {
    const s = await session();
    const { agent, model, log } = weatherAgent(cp, [
      { tool: "issue_refund", args: { orderId: "o-7", amount: 900 } },
    ]);
    const paused = await run(agent, "Refund o-7", { context: { sessionId: s.id } });
    const requests = await approvalRequests(paused);
    await cp.deny(requests[0]!.ticketId, { decidedBy: "ops@example.com", reason: "amount too large" });
    const resolved = await resolveInterruptions(paused.state, requests);
    expect(resolved.map((r) => r.status)).toEqual(["rejected"]);
    await run(agent, paused.state);
    expect(log.runs.issue_refund).toBeUndefined();
    expect(model.lastSeen[0]?.output).toContain("amount too large");
    expect(model.lastSeen[0]?.output).toContain(requests[0]!.ticketId);
  });

  it("never runs an approval-tier call the host approved on its own while the ticket is pending", async () => {
    const s = await session();
    const { agent, model, log } = weatherAgent(cp, [
      { tool: "issue_refund", args: { orderId: "o-9", amount: 5 } },
    ]);
    const paused = await run(agent, "Refund o-9", { context: { sessionId: s.id } });
    paused.state.approve(paused.interruptions[0]!); // the model's (or host's) say, not the control plane's
    await run(agent, paused.state);
    expect(log.runs.issue_refund).toBeUndefined();
    const [ticket] = await cp.listTickets({ sessionId: s.id });
    expect(ticket?.status).toBe("pending");
    expect(model.lastSeen[0]?.output).toContain(ticket!.id);
  });

  it("refuses a ticket of another call or session when resolving, and changes nothing", async () => {
    const s = await session();
    const { agent } = weatherAgent(cp, [{ tool: "issue_refund", args: { orderId: "o-1", amount: 5 } }]);
    const paused = await run(agent, "Refund o-1", { context: { sessionId: s.id } });
    const other = await session();
    const foreign = await cp.propose({ sessionId: other.id, action: "issue_refund", resourceId: "x" });
    if (foreign.outcome !== "pending_approval") throw new Error("expected a ticket");
    await cp.approve(foreign.ticketId, { decidedBy: "ops@example.com" });
    await expect(resolveInterruptions(paused.state, { call_0: foreign.ticketId })).rejects.toThrow(
      /tickets\.call_0: ticket .* is for issue_refund in another call/,
    );
    // The same saved state, resumed with another session in its context: that session holds no ticket of the call.
    const elsewhere = await RunState.fromStringWithContext(
      agent,
      paused.state.toString(),
      new RunContext({ sessionId: other.id }),
      { contextStrategy: "replace" },
    );
    await expect(resolveInterruptions(elsewhere)).rejects.toThrow(/tickets\.call_0: no ticket/);
    expect(paused.state.getInterruptions()).toHaveLength(1);
    expect(elsewhere.getInterruptions()).toHaveLength(1);
    const [own] = await cp.listTickets({ sessionId: s.id });
    expect(own?.status).toBe("pending");
    expect(await cp.listProposals({ sessionId: s.id })).toHaveLength(1);
  });

  it("finds the ticket of a call from the control plane's record when no ticket ids were saved", async () => {
    const s = await session();
    const calls = [{ tool: "issue_refund", args: { orderId: "o-5", amount: 12 } }];
    const first = weatherAgent(cp, calls);
    const paused = await run(first.agent, "Refund o-5", { context: { sessionId: s.id } });
    const saved = paused.state.toString();
    // A fresh process: new tools, nothing remembered; only the saved state.
    const second = weatherAgent(cp, calls);
    const state = await RunState.fromString(second.agent, saved);
    const requests = await approvalRequests({ interruptions: state.getInterruptions(), state });
    const [ticket] = await cp.listTickets({ sessionId: s.id });
    expect(requests.map((r) => [r.callId, r.ticketId, r.ticketStatus])).toEqual([
      ["call_0", ticket!.id, "pending"],
    ]);
    expect(await cp.listProposals({ sessionId: s.id })).toHaveLength(1); // read, not proposed again
    await cp.approve(ticket!.id, { decidedBy: "ops@example.com" });
    expect((await resolveInterruptions(state)).map((r) => r.status)).toEqual(["approved"]);
    await run(second.agent, state);
    expect(second.log.runs.issue_refund).toBe(1);
    expect((await cp.listProposals({ sessionId: s.id })).map((p) => p.status)).toEqual(["succeeded"]);
  });

  it("aborts a running tool when a kill switch engages, and denies the next call", async () => {
    const s = await session();
    const { agent, model, log } = weatherAgent(cp, [
      { tool: "long_task", args: { id: "t1" } },
      { tool: "long_task", args: { id: "t2" } },
    ]);
    const running = run(agent, "Run the tasks", { context: { sessionId: s.id } });
    await log.started;
    await cp.kill({ scope: "agent", agentId: "assistant", reason: "runaway loop" });
    await running;
    expect(log.runs.long_task).toBe(1);
    expect(log.aborts).toHaveLength(1);
    expect(log.aborts[0]).toContain("runaway loop");
    expect(model.lastSeen.map((o) => o.callId)).toEqual(["call_0", "call_1"]);
    expect(model.lastSeen[0]?.output).toContain("runaway loop");
    expect(model.lastSeen[1]?.output).toContain("runaway loop");
    const proposals = await cp.listProposals({ sessionId: s.id });
    expect(proposals).toHaveLength(2);
    // Stopped while running: the side effect may or may not have happened.
    expect(proposals.find((p) => p.resourceId === "t1")?.status).toBe("outcome_unknown");
    const second = proposals.find((p) => p.resourceId === "t2");
    expect(second).toMatchObject({ status: "denied", code: "kill_switch" });
  });

  it("re-checks right before execution: a kill switch engaged after the decision stops the call", async () => {
    const s = await session();
    const model = new ScriptedModel([{ tool: "get_weather", args: { city: "Oslo" } }]);
    let ran = 0;
    const weather = governedTool(
      cp,
      {
        name: "get_weather",
        description: "The weather in a city",
        parameters: z.object({ city: z.string() }),
        // The host's own guardrail runs first; the kill switch lands between the decision and the execution.
        inputGuardrails: [
          defineToolInputGuardrail({
            name: "host-check",
            run: async () => {
              await cp.kill({ scope: "session", sessionId: s.id, reason: "operator stop" });
              return { behavior: { type: "allow" } };
            },
          }),
        ],
        execute: async () => {
          ran += 1;
          return "sunny";
        },
      },
      { action: "get_weather", resourceId: (a) => a.city },
    );
    const { Agent } = await import("@openai/agents");
    const agent = new Agent({ name: "Assistant", model, tools: [weather] });
    await run(agent, "Weather in Oslo?", { context: { sessionId: s.id } });
    expect(ran).toBe(0);
    expect(model.lastSeen[0]?.output).toMatch(/Refused by the control plane: session .* is aborted/);
    const [proposal] = await cp.listProposals({ sessionId: s.id });
    expect(proposal?.status).not.toBe("executing");
    expect(proposal?.actualCost).toBe("0");
  });

  it("reports budget exhaustion to the model", async () => {
    const s = await session({ maxActions: 1 });
    const { agent, model, log } = weatherAgent(cp, [
      { tool: "get_weather", args: { city: "Rome" } },
      { tool: "get_weather", args: { city: "Lima" } },
    ]);
    await run(agent, "Weather in Rome and Lima?", { context: { sessionId: s.id } });
    expect(log.runs.get_weather).toBe(1);
    expect(model.lastSeen[0]?.output).toBe("The weather in Rome is sunny.");
    const proposals = await cp.listProposals({ sessionId: s.id });
    expect(proposals).toHaveLength(2);
    const denied = proposals.find((p) => p.resourceId === "Lima");
    expect(denied).toMatchObject({ status: "denied", code: "budget_exhausted" });
    expect(model.lastSeen[1]?.output).toContain(denied!.reason);
  });

  it("rejects a needsApproval option (the control plane decides) and marks only its own tools", () => {
    expect(() =>
      governedTool(
        cp,
        {
          name: "x",
          description: "x",
          parameters: z.object({}),
          needsApproval: true,
          execute: async () => "x",
        },
        { action: "x" },
      ),
    ).toThrow(/options\.needsApproval/);
    const plain = tool({ name: "y", description: "y", parameters: z.object({}), execute: async () => "y" });
    expect(isGovernedTool(plain)).toBe(false);
    expect(
      isGovernedTool(
        governedTool(
          cp,
          { name: "z", description: "z", parameters: z.object({}), execute: () => "z" },
          { action: "z" },
        ),
      ),
    ).toBe(true);
  });
});
