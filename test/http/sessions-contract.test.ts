import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";

describe("GET /v1/sessions and /v1/sessions/{session_id}", () => {
  const h = useHttp();

  it("maps a session onto the contract's SessionState", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a", name: "nightly", budget: { maxCost: "12.5" } });
    const res = await h().call(`/v1/sessions/${s.id}`, { token: TOKENS.viewer });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: s.id,
      session_name: "nightly",
      status: s.status,
      execution_mode: "live",
      used_cost: "0",
      used_action_count: 0,
      agent_id: "agent-a",
    });
  });

  it("answers 401 without a token, 422 naming the field for a bad id, 404 for an unknown one", async () => {
    expect((await h().call("/v1/sessions")).status).toBe(401);
    const bad = await h().call("/v1/sessions/not-a-uuid", { token: TOKENS.viewer });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({
      details: { code: "validation_failed", issues: [{ path: "param.session_id" }] },
    });
    const missing = await h().call("/v1/sessions/0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d", {
      token: TOKENS.viewer,
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ details: { code: "not_found" } });
  });

  it("shows an agent token its own sessions only and refuses another agent's", async () => {
    const mine = await h().cp.openSession({ agentId: "agent-a" });
    const theirs = await h().cp.openSession({ agentId: "agent-b" });
    const list = (await (await h().call("/v1/sessions", { token: TOKENS.agentA })).json()) as {
      id: string;
    }[];
    expect(list.map((s) => s.id)).toEqual([mine.id]);
    const res = await h().call(`/v1/sessions/${theirs.id}`, { token: TOKENS.agentA });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ details: { code: "forbidden" } });
  });

  it("rejects an unknown status in the comma-separated filter", async () => {
    const res = await h().call("/v1/sessions?statuses=active,bogus", { token: TOKENS.viewer });
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain("bogus");
  });
});
