import { HumanMessage } from "@langchain/core/messages";
import { Command } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { pendingApprovals } from "../../../src/adapters/langchain/index.js";
import { scriptedModel, seenBy, toolMessageFor, useLangChainHarness } from "./langchain-harness.js";

const thread = (id: string) => ({ configurable: { thread_id: id } });
const ask = (text: string) => ({ messages: [new HumanMessage(text)] });

describe("governToolCalls (LangChain createAgent middleware)", () => {
  const h = useLangChainHarness();

  it("runs an allowed call once and completes its proposal with the call id", async () => {
    const model = scriptedModel([[{ name: "search", args: { query: "refund policy" }, id: "call-s1" }]]);
    const { agent, session, runs } = await h.agent(model);

    const result = await agent.invoke(ask("find the refund policy"), thread("t-allowed"));

    expect(runs.search).toBe(1);
    expect(result.messages.at(-1)?.content).toBe("done");
    const reply = toolMessageFor(seenBy(model, 1), "call-s1");
    expect(reply.content).toBe("results for refund policy");
    expect(reply.status).not.toBe("error");
    const proposals = await h.cp().listProposals({ sessionId: session.id });
    expect(proposals).toHaveLength(1);
    expect(proposals[0]).toMatchObject({ action: "search", status: "succeeded" });
  });

  it("reports a blocked call to the model as an error ToolMessage with the reason, without running it", async () => {
    const model = scriptedModel([[{ name: "delete_database", args: { name: "prod" }, id: "call-d1" }]]);
    const { agent, session, runs } = await h.agent(model);

    await agent.invoke(ask("drop prod"), thread("t-blocked"));

    expect(runs.delete_database).toBe(0);
    const [proposal] = await h.cp().listProposals({ sessionId: session.id });
    expect(proposal).toMatchObject({ status: "denied", code: "blocked_action" });
    const reply = toolMessageFor(seenBy(model, 1), "call-d1");
    expect(reply.status).toBe("error");
    expect(String(reply.content)).toContain(proposal!.reason);
    expect(reply.artifact?.controlPlane).toMatchObject({ status: "refused", code: "blocked_action" });
  });

  it("pauses an approval-tier call with an interrupt carrying the ticket; after cp.approve the resumed run executes it once", async () => {
    const model = scriptedModel([[{ name: "send_payment", args: { to: "ann", amount: 40 }, id: "call-p1" }]]);
    const { agent, session, runs } = await h.agent(model);
    const cfg = thread("t-approve");

    const first = await agent.invoke(ask("pay ann 40"), cfg);
    const [pending, ...others] = pendingApprovals(first);
    expect(others).toEqual([]);
    const [ticket] = await h.cp().listTickets({ sessionId: session.id, statuses: ["pending"] });
    expect(pending).toMatchObject({
      ticketId: ticket!.id,
      toolCall: { id: "call-p1", name: "send_payment", args: { to: "ann", amount: 40 } },
    });
    expect(runs.send_payment).toBe(0);

    // A resume value claiming approval does not run the tool while the control plane has not approved.
    const early = await agent.invoke(new Command({ resume: { ticketId: ticket!.id, approved: true } }), cfg);
    expect(runs.send_payment).toBe(0);
    expect(pendingApprovals(early).map((p) => p.ticketId)).toEqual([ticket!.id]);

    await h.cp().approve(ticket!.id, { decidedBy: "ops@example.com", reason: "verified" });
    const done = await agent.invoke(new Command({ resume: { ticketId: ticket!.id } }), cfg);

    expect(runs.send_payment).toBe(1);
    expect(pendingApprovals(done)).toEqual([]);
    expect(done.messages.at(-1)?.content).toBe("done");
    expect(toolMessageFor(done.messages, "call-p1").content).toBe("paid 40 to ann");
    // Every pass of the call was the same proposal.
    const proposals = await h.cp().listProposals({ sessionId: session.id });
    expect(proposals.map((p) => p.status)).toEqual(["succeeded"]);
    expect(model.callCount).toBe(2);
  });

  it("reports a ticket the operator denied to the model and never runs the tool", async () => {
    const model = scriptedModel([
      [{ name: "send_payment", args: { to: "eve", amount: 900 }, id: "call-p2" }],
    ]);
    const { agent, session, runs } = await h.agent(model);
    const cfg = thread("t-deny");

    const [pending] = pendingApprovals(await agent.invoke(ask("pay eve"), cfg));
    await h.cp().deny(pending!.ticketId, { decidedBy: "ops@example.com", reason: "unknown payee" });
    const done = await agent.invoke(
      new Command({ resume: { ticketId: pending!.ticketId, approved: true } }),
      cfg,
    );

    expect(runs.send_payment).toBe(0);
    const reply = toolMessageFor(done.messages, "call-p2");
    expect(reply.status).toBe("error");
    expect(reply.artifact?.controlPlane).toMatchObject({ status: "refused", code: "approval_denied" });
    expect(String(reply.content)).toContain("denied by ops@example.com: unknown payee");
    expect(done.messages.at(-1)?.content).toBe("done");
    // The denial is final: no second ticket was opened for the same call.
    expect(await h.cp().listTickets({ sessionId: session.id })).toHaveLength(1);
  });

  it("aborts a running tool when a kill switch engages (its signal fires) and denies the next call", async () => {
    const model = scriptedModel(
      [
        [{ name: "long_job", args: { steps: 3 }, id: "call-l1" }],
        [{ name: "search", args: { query: "anything" }, id: "call-s2" }],
      ],
      "stopped",
    );
    const { agent, session, runs, longJob } = await h.agent(model);

    const running = agent.invoke(ask("run the job"), thread("t-kill"));
    await longJob.started.promise;
    await h.cp().kill({ scope: "session", sessionId: session.id, reason: "runaway job" });
    const result = await running;

    expect(longJob.sawAbort).toBe(true);
    const aborted = toolMessageFor(result.messages, "call-l1");
    expect(aborted.status).toBe("error");
    expect(aborted.artifact?.controlPlane?.status).toBe("aborted");
    expect(runs.search).toBe(0);
    const denied = toolMessageFor(result.messages, "call-s2");
    expect(denied.status).toBe("error");
    expect(denied.artifact?.controlPlane?.status).toBe("refused");
    const proposals = await h.cp().listProposals({ sessionId: session.id });
    const byAction = Object.fromEntries(proposals.map((p) => [p.action, p]));
    expect(byAction.long_job?.status).toBe("outcome_unknown");
    expect(byAction.search?.status).toBe("denied");
    expect(String(denied.content)).toContain(byAction.search!.reason);
    expect(result.messages.at(-1)?.content).toBe("stopped");
  });

  it("reports budget exhaustion to the model", async () => {
    const model = scriptedModel([
      [{ name: "search", args: { query: "one" }, id: "call-b1" }],
      [{ name: "search", args: { query: "two" }, id: "call-b2" }],
    ]);
    const { agent, session, runs } = await h.agent(model, { session: { budget: { maxActions: 1 } } });

    await agent.invoke(ask("search twice"), thread("t-budget"));

    expect(runs.search).toBe(1);
    const reply = toolMessageFor(seenBy(model, 2), "call-b2");
    expect(reply.status).toBe("error");
    expect(reply.artifact?.controlPlane).toMatchObject({ status: "refused", code: "budget_exhausted" });
    const denied = (await h.cp().listProposals({ sessionId: session.id })).find((p) => p.status === "denied");
    expect(denied?.code).toBe("budget_exhausted");
    expect(String(reply.content)).toContain(denied!.reason);
  });

  it("maps calls with the per-tool mapping: action, resource and cost read from the arguments", async () => {
    const model = scriptedModel([[{ name: "search", args: { query: "vip" }, id: "call-m1" }]]);
    const { agent, session } = await h.agent(model, {
      middleware: {
        agentId: "kb-bot",
        tools: { search: { resourceId: (a) => `kb:${String(a.query)}`, cost: "0.25" } },
      },
    });

    await agent.invoke(ask("search vip"), thread("t-map"));

    const [proposal] = await h.cp().listProposals({ sessionId: session.id });
    expect(proposal).toMatchObject({
      action: "search",
      resourceId: "kb:vip",
      agentId: "kb-bot",
      args: { query: "vip" },
      cost: "0.25",
    });
    expect((await h.cp().getSession(session.id)).budget).toMatchObject({ usedActions: 1, usedCost: "0.25" });
  });
});
