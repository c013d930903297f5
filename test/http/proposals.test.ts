import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";

const UNKNOWN = "0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d";

describe("POST /v1/proposals and the proposal paths", () => {
  const h = useHttp();
  const post = (path: string, token: string, body: unknown, headers?: Record<string, string>) =>
    h().call(path, { token, body, ...(headers ? { headers } : {}) });

  it("answers the decision as JSON with 200 for an allowed and for a denied proposal", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a", budget: { maxCost: "1" } });
    const allowed = await post("/v1/proposals", TOKENS.agentA, {
      session_id: s.id,
      action: "read_file",
      resource_id: "a.txt",
      cost: "0.25",
    });
    expect(allowed.status).toBe(200);
    const d = (await allowed.json()) as Record<string, unknown>;
    expect(d).toMatchObject({ outcome: "allowed", tier: "auto_approve", ticket_id: null, steering: null });
    expect(typeof d.proposal_id).toBe("string");
    expect(Array.isArray(d.trace)).toBe(true);

    const denied = await post("/v1/proposals", TOKENS.agentA, {
      session_id: s.id,
      action: "delete_database",
    });
    expect(denied.status).toBe(200);
    expect(await denied.json()).toMatchObject({ outcome: "denied", code: "blocked_action", tier: "blocked" });

    const stored = await h().cp.getProposal(d.proposal_id as string);
    expect(stored).toMatchObject({ agentId: "agent-a", cost: "0.25", status: "executing" });
  });

  it("accepts cost as a number, answers money as decimal strings, and fills agent_id from the token", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const d = (await (
      await post("/v1/proposals", TOKENS.agentA, { session_id: s.id, action: "read_file", cost: 0.5 })
    ).json()) as { proposal_id: string };
    const res = await h().call(`/v1/proposals/${d.proposal_id}`, { token: TOKENS.agentA });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ agent_id: "agent-a", cost: "0.5", reserved_cost: "0.5" });
  });

  it("refuses an agent token proposing as another agent or in another agent's session (403)", async () => {
    const mine = await h().cp.openSession({ agentId: "agent-a" });
    const theirs = await h().cp.openSession({ agentId: "agent-b" });
    const spoof = await post("/v1/proposals", TOKENS.agentA, {
      session_id: mine.id,
      agent_id: "agent-b",
      action: "read_file",
    });
    expect(spoof.status).toBe(403);
    expect(await spoof.json()).toMatchObject({ details: { code: "forbidden" } });
    const foreign = await post("/v1/proposals", TOKENS.agentA, {
      session_id: theirs.id,
      action: "read_file",
    });
    expect(foreign.status).toBe(403);
    const same = await post("/v1/proposals", TOKENS.agentA, {
      session_id: mine.id,
      agent_id: "agent-a",
      action: "read_file",
    });
    expect(same.status).toBe(200);
    expect(await h().cp.listProposals({ sessionId: theirs.id })).toEqual([]);
  });

  it("refuses roles without act.own (operator, viewer) with 403 and answers 401 without a token", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    for (const token of [TOKENS.operator, TOKENS.viewer, TOKENS.approver]) {
      const res = await post("/v1/proposals", token, { session_id: s.id, action: "read_file" });
      expect(res.status).toBe(403);
    }
    expect((await h().call("/v1/proposals", { body: { session_id: s.id, action: "x" } })).status).toBe(401);
  });

  it("answers 422 naming an unknown body key or a bad cost, and 404 for an unknown session", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const extra = await post("/v1/proposals", TOKENS.agentA, {
      session_id: s.id,
      action: "read_file",
      risk: 0,
    });
    expect(extra.status).toBe(422);
    expect(JSON.stringify(await extra.json())).toContain("risk");
    const cost = await post("/v1/proposals", TOKENS.agentA, {
      session_id: s.id,
      action: "read_file",
      cost: "abc",
    });
    expect(cost.status).toBe(422);
    expect(await cost.json()).toMatchObject({
      details: { code: "validation_failed", issues: [{ path: "body.cost" }] },
    });
    for (const bad of ["0.1234567", "-1", 1e12]) {
      const r = await post("/v1/proposals", TOKENS.agentA, {
        session_id: s.id,
        action: "read_file",
        cost: bad,
      });
      expect(r.status).toBe(422);
    }
    const missing = await post("/v1/proposals", TOKENS.agentA, { session_id: UNKNOWN, action: "read_file" });
    expect(missing.status).toBe(404);
    expect(await h().cp.listProposals({ sessionId: s.id })).toEqual([]);
  });

  it("replays the first decision for a repeated X-Idempotency-Key", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const body = { session_id: s.id, action: "read_file", resource_id: "k" };
    const headers = { "x-idempotency-key": "propose-1" };
    const first = (await (await post("/v1/proposals", TOKENS.agentA, body, headers)).json()) as {
      proposal_id: string;
    };
    const again = (await (await post("/v1/proposals", TOKENS.agentA, body, headers)).json()) as {
      proposal_id: string;
    };
    expect(again.proposal_id).toBe(first.proposal_id);
    expect(await h().cp.listProposals({ sessionId: s.id })).toHaveLength(1);
  });

  it("completes and heartbeats an executing proposal; a second complete is 409", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const d = (await (
      await post("/v1/proposals", TOKENS.agentA, { session_id: s.id, action: "write_file", cost: "0.2" })
    ).json()) as { proposal_id: string };
    const hb = await post(`/v1/proposals/${d.proposal_id}/heartbeat`, TOKENS.agentA, { ttl_ms: 60_000 });
    expect(hb.status).toBe(200);
    const { expires_at } = (await hb.json()) as { expires_at: string };
    expect(Number.isNaN(Date.parse(expires_at))).toBe(false);
    const done = await post(`/v1/proposals/${d.proposal_id}/complete`, TOKENS.agentA, {
      ok: true,
      cost: "0.15",
      output: { lines: 3 },
    });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({
      status: "succeeded",
      actual_cost: "0.15",
      output: { lines: 3 },
    });
    const twice = await post(`/v1/proposals/${d.proposal_id}/complete`, TOKENS.agentA, { ok: true });
    expect(twice.status).toBe(409);
    const late = await post(`/v1/proposals/${d.proposal_id}/heartbeat`, TOKENS.agentA, {});
    expect(late.status).toBe(409);
    expect((await h().cp.getSession(s.id)).budget.usedCost).toBe("0.15");
  });

  it("replays complete for a repeated key instead of answering 409", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const d = (await (
      await post("/v1/proposals", TOKENS.agentA, { session_id: s.id, action: "write_file", cost: "1" })
    ).json()) as { proposal_id: string };
    const headers = { "x-idempotency-key": "done-1" };
    const path = `/v1/proposals/${d.proposal_id}/complete`;
    const first = await post(path, TOKENS.agentA, { ok: false, error: "disk full" }, headers);
    const again = await post(path, TOKENS.agentA, { ok: false, error: "disk full" }, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    expect((await h().cp.getProposal(d.proposal_id)).status).toBe("failed");
  });

  it("refuses complete and heartbeat by another agent (403) and answers 404 for an unknown proposal", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const d = (await (
      await post("/v1/proposals", TOKENS.agentA, { session_id: s.id, action: "write_file" })
    ).json()) as { proposal_id: string };
    expect((await post(`/v1/proposals/${d.proposal_id}/complete`, TOKENS.agentB, { ok: true })).status).toBe(
      403,
    );
    expect((await post(`/v1/proposals/${d.proposal_id}/heartbeat`, TOKENS.agentB, {})).status).toBe(403);
    expect((await h().call(`/v1/proposals/${d.proposal_id}`, { token: TOKENS.agentB })).status).toBe(403);
    expect((await h().cp.getProposal(d.proposal_id)).status).toBe("executing");
    expect((await post(`/v1/proposals/${UNKNOWN}/complete`, TOKENS.agentA, { ok: true })).status).toBe(404);
    const bad = await post(`/v1/proposals/${d.proposal_id}/complete`, TOKENS.agentA, { ok: "yes" });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ details: { issues: [{ path: "body.ok" }] } });
  });

  it("lists proposals of a session; an agent token must name a session of its own", async () => {
    const a = await h().cp.openSession({ agentId: "agent-a" });
    const b = await h().cp.openSession({ agentId: "agent-b" });
    await post("/v1/proposals", TOKENS.agentA, { session_id: a.id, action: "read_file" });
    await post("/v1/proposals", TOKENS.agentB, { session_id: b.id, action: "delete_database" });
    const all = (await (await h().call("/v1/proposals", { token: TOKENS.viewer })).json()) as unknown[];
    expect(all).toHaveLength(2);
    const denied = (await (
      await h().call("/v1/proposals?status=denied", { token: TOKENS.viewer })
    ).json()) as { session_id: string }[];
    expect(denied.map((p) => p.session_id)).toEqual([b.id]);
    expect((await h().call("/v1/proposals", { token: TOKENS.agentA })).status).toBe(403);
    expect((await h().call(`/v1/proposals?session_id=${b.id}`, { token: TOKENS.agentA })).status).toBe(403);
    const own = (await (
      await h().call(`/v1/proposals?session_id=${a.id}`, { token: TOKENS.agentA })
    ).json()) as unknown[];
    expect(own).toHaveLength(1);
  });
});
