import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";

describe("agents and delegations", () => {
  const h = useHttp();

  it("registers, lists and reads agents; unknown is 404", async () => {
    const res = await h().call("/v1/agents", {
      token: TOKENS.operator,
      body: { id: "agent-a", name: "Agent A", capabilities: ["read_file"], tags: ["blue"] },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: "agent-a", capabilities: ["read_file"], tags: ["blue"] });
    await h().call("/v1/agents", { token: TOKENS.operator, body: { id: "agent-b", tags: ["red"] } });
    const list = (await (await h().call("/v1/agents?tags=blue", { token: TOKENS.viewer })).json()) as {
      id: string;
    }[];
    expect(list.map((a) => a.id)).toEqual(["agent-a"]);
    const one = await h().call("/v1/agents/agent-b", { token: TOKENS.viewer });
    expect(await one.json()).toMatchObject({ id: "agent-b", capabilities: [] });
    expect((await h().call("/v1/agents/nobody", { token: TOKENS.viewer })).status).toBe(404);
  });

  it("the registry then governs proposals over HTTP (missing capability is a denial)", async () => {
    await h().call("/v1/agents", {
      token: TOKENS.operator,
      body: { id: "agent-a", capabilities: ["read_file"] },
    });
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const d = await h().call("/v1/proposals", {
      token: TOKENS.agentA,
      body: { session_id: s.id, action: "write_file" },
    });
    expect(await d.json()).toMatchObject({ outcome: "denied", code: "missing_capability" });
  });

  it("refuses agent and viewer tokens registering agents (403) and bad bodies (422)", async () => {
    for (const token of [TOKENS.agentA, TOKENS.viewer, TOKENS.approver]) {
      expect(
        (await h().call("/v1/agents", { token, body: { id: "agent-a", capabilities: ["*"] } })).status,
      ).toBe(403);
    }
    const extra = await h().call("/v1/agents", { token: TOKENS.operator, body: { id: "x", role: "admin" } });
    expect(extra.status).toBe(422);
    expect(JSON.stringify(await extra.json())).toContain("role");
    expect(
      (await h().call("/v1/agents", { token: TOKENS.operator, body: { capabilities: [] } })).status,
    ).toBe(422);
    expect(await h().cp.listAgents()).toEqual([]);
    expect((await h().call("/v1/agents", { token: TOKENS.agentA })).status).toBe(403);
  });

  it("records delegations: an operator for anyone, an agent only from itself and in its own session", async () => {
    await h().cp.registerAgent({ id: "agent-a", capabilities: ["*"] });
    await h().cp.registerAgent({ id: "agent-b", capabilities: ["*"] });
    const unknown = await h().call("/v1/delegations", {
      token: TOKENS.operator,
      body: { from_agent_id: "agent-b", to_agent_id: "nobody", task: "triage" },
    });
    expect(unknown.status).toBe(404);
    const op = await h().call("/v1/delegations", {
      token: TOKENS.operator,
      body: { from_agent_id: "agent-b", to_agent_id: "agent-a", task: "triage" },
    });
    expect(op.status).toBe(201);
    expect(await op.json()).toMatchObject({
      from_agent_id: "agent-b",
      to_agent_id: "agent-a",
      session_id: null,
    });

    const mine = await h().cp.openSession({ agentId: "agent-a" });
    const theirs = await h().cp.openSession({ agentId: "agent-b" });
    const own = await h().call("/v1/delegations", {
      token: TOKENS.agentA,
      body: { from_agent_id: "agent-a", to_agent_id: "agent-b", task: "summarise", session_id: mine.id },
    });
    expect(own.status).toBe(201);
    const before = (await h().cp.feed()).length;
    const spoof = await h().call("/v1/delegations", {
      token: TOKENS.agentA,
      body: { from_agent_id: "agent-b", to_agent_id: "agent-a", task: "x" },
    });
    expect(spoof.status).toBe(403);
    const foreign = await h().call("/v1/delegations", {
      token: TOKENS.agentA,
      body: { from_agent_id: "agent-a", to_agent_id: "agent-b", task: "x", session_id: theirs.id },
    });
    expect(foreign.status).toBe(403);
    const viewer = await h().call("/v1/delegations", {
      token: TOKENS.viewer,
      body: { from_agent_id: "agent-a", to_agent_id: "agent-b", task: "x" },
    });
    expect(viewer.status).toBe(403);
    const bad = await h().call("/v1/delegations", { token: TOKENS.operator, body: { from_agent_id: "a" } });
    expect(bad.status).toBe(422);
    expect((await h().cp.feed()).length).toBe(before);
  });
});
