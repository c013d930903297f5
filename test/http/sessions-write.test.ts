import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";

const UNKNOWN = "0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d";

describe("session write paths", () => {
  const h = useHttp();

  it("opens a session for an agent token's own agent (201), with budget money in and out as strings", async () => {
    const res = await h().call("/v1/sessions", {
      token: TOKENS.agentA,
      body: { name: "nightly", budget: { max_cost: 2.5, max_actions: 10 } },
    });
    expect(res.status).toBe(201);
    const s = (await res.json()) as Record<string, unknown>;
    expect(s).toMatchObject({
      session_name: "nightly",
      status: "created",
      agent_id: "agent-a",
      max_cost: "2.5",
      max_action_count: 10,
      used_cost: "0",
    });
    expect((await h().cp.getSession(s.id as string)).agentId).toBe("agent-a");
  });

  it("refuses an agent opening a session for another agent (403); an operator may name any agent", async () => {
    const spoof = await h().call("/v1/sessions", { token: TOKENS.agentA, body: { agent_id: "agent-b" } });
    expect(spoof.status).toBe(403);
    expect(await h().cp.listSessions()).toEqual([]);
    const op = await h().call("/v1/sessions", { token: TOKENS.operator, body: { agent_id: "agent-b" } });
    expect(op.status).toBe(201);
    expect(await op.json()).toMatchObject({ agent_id: "agent-b" });
    expect((await h().call("/v1/sessions", { token: TOKENS.viewer, body: {} })).status).toBe(403);
    expect((await h().call("/v1/sessions", { body: {} })).status).toBe(401);
  });

  it("opens with no body at all, and answers 422 naming an unknown key or a bad budget", async () => {
    const bare = await h().call("/v1/sessions", { token: TOKENS.agentA, method: "POST" });
    expect(bare.status).toBe(201);
    const extra = await h().call("/v1/sessions", { token: TOKENS.agentA, body: { policy: {} } });
    expect(extra.status).toBe(422);
    expect(JSON.stringify(await extra.json())).toContain("policy");
    const nested = await h().call("/v1/sessions", {
      token: TOKENS.agentA,
      body: { budget: { maxCost: "1" } },
    });
    expect(nested.status).toBe(422);
    expect(JSON.stringify(await nested.json())).toContain("maxCost");
    const money = await h().call("/v1/sessions", {
      token: TOKENS.agentA,
      body: { budget: { max_cost: "-1" } },
    });
    expect(money.status).toBe(422);
    expect(await h().cp.listSessions()).toHaveLength(1);
  });

  it("replays the first answer for a repeated X-Idempotency-Key; another request with it is 409", async () => {
    const headers = { "x-idempotency-key": "open-1" };
    const open = () => h().call("/v1/sessions", { token: TOKENS.agentA, body: { name: "once" }, headers });
    const first = (await (await open()).json()) as { id: string };
    const again = await open();
    expect(again.status).toBe(201);
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
    const other = await h().call("/v1/sessions", { token: TOKENS.agentA, body: { name: "other" }, headers });
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ details: { code: "idempotency_conflict" } });
    expect(await h().cp.listSessions()).toHaveLength(1);
  });

  it("pauses, resumes, closes; an invalid transition is 409 and changes nothing", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    await h().cp.activateSession(s.id);
    const verb = (v: string, token: string = TOKENS.agentA, body?: unknown) =>
      h().call(`/v1/sessions/${s.id}/${v}`, { token, method: "POST", ...(body ? { body } : {}) });
    const paused = await verb("pause", TOKENS.agentA, { reason: "lunch" });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ status: "paused" });
    expect((await verb("pause")).status).toBe(409);
    expect(await (await verb("resume")).json()).toMatchObject({ status: "active" });
    expect(await (await verb("close")).json()).toMatchObject({ status: "completed" });
    const again = await verb("resume");
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ details: { code: "invalid_transition" } });
    expect((await h().cp.getSession(s.id)).status).toBe("completed");
  });

  it("records the token's name as payload `by` of each pause, resume, close and abort event", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    await h().cp.activateSession(s.id);
    const verb = (v: string, token: string) =>
      h().call(`/v1/sessions/${s.id}/${v}`, { token, method: "POST" });
    expect((await verb("pause", TOKENS.operator)).status).toBe(200);
    expect((await verb("resume", TOKENS.agentA)).status).toBe(200);
    expect((await verb("close", TOKENS.admin)).status).toBe(200);
    const other = await h().cp.openSession({ agentId: "agent-a" });
    const aborted = await h().call(`/v1/sessions/${other.id}/abort`, { token: TOKENS.operator, body: {} });
    expect(aborted.status).toBe(200);
    const by = (await h().cp.feed({ limit: 1000 }))
      .filter((e) => e.kind !== "session_opened" && e.kind !== "session_activated")
      .map((e) => [e.kind, e.payload.by]);
    expect(by).toEqual([
      ["session_paused", "olivia"],
      ["session_resumed", "agent-a"],
      ["session_completed", "root"],
      ["session_aborted", "olivia"],
    ]);
  });

  it("aborts with a reason; another agent's token is 403; an operator controls any session", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const foreign = await h().call(`/v1/sessions/${s.id}/abort`, {
      token: TOKENS.agentB,
      body: { reason: "x" },
    });
    expect(foreign.status).toBe(403);
    expect(
      (await h().call(`/v1/sessions/${s.id}/pause`, { token: TOKENS.approver, method: "POST" })).status,
    ).toBe(403);
    expect((await h().cp.getSession(s.id)).status).toBe("created");
    const res = await h().call(`/v1/sessions/${s.id}/abort`, {
      token: TOKENS.operator,
      body: { reason: "runaway" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "aborted", abort_details: "runaway" });
    expect(
      (await h().call(`/v1/sessions/${UNKNOWN}/abort`, { token: TOKENS.operator, method: "POST" })).status,
    ).toBe(404);
    const bad = await h().call(`/v1/sessions/${s.id}/pause`, { token: TOKENS.operator, body: { why: "x" } });
    expect(bad.status).toBe(422);
  });

  it("pages a session's audit log by seq", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    for (let i = 0; i < 3; i++)
      await h().cp.propose({ sessionId: s.id, action: "log_note", resourceId: `n${i}` });
    const total = (await h().cp.events(s.id)).length;
    expect(total).toBeGreaterThanOrEqual(4);
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const res = await h().call(`/v1/sessions/${s.id}/events?after_seq=${after}&limit=2`, {
        token: TOKENS.agentA,
      });
      expect(res.status).toBe(200);
      const page = (await res.json()) as {
        items: { seq: number; acp_kind: string }[];
        next_after_seq: number | null;
      };
      seen.push(...page.items.map((e) => e.seq));
      if (page.next_after_seq === null) break;
      after = page.next_after_seq;
    }
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect((await h().call(`/v1/sessions/${s.id}/events`, { token: TOKENS.agentB })).status).toBe(403);
    expect((await h().call(`/v1/sessions/${s.id}/events?limit=0`, { token: TOKENS.viewer })).status).toBe(
      422,
    );
    expect((await h().call(`/v1/sessions/${UNKNOWN}/events`, { token: TOKENS.viewer })).status).toBe(404);
  });

  it("serves the session's frozen policy", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const res = await h().call(`/v1/sessions/${s.id}/policy`, { token: TOKENS.agentA });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { policy_id: string; policy: { actions: { blocked: string[] } } };
    expect(body.policy_id).toBe(s.policyId);
    expect(body.policy.actions.blocked).toContain("delete_database");
    expect((await h().call(`/v1/sessions/${s.id}/policy`, { token: TOKENS.agentB })).status).toBe(403);
    expect((await h().call(`/v1/sessions/${UNKNOWN}/policy`, { token: TOKENS.viewer })).status).toBe(404);
  });
});
