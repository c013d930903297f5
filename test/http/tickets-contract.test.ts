import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";

describe("contract ticket decisions over HTTP", () => {
  const h = useHttp();

  async function pending(agentId = "agent-a", resourceId = "svc-1") {
    const session = await h().cp.openSession({ agentId });
    const d = await h().cp.propose({
      sessionId: session.id,
      agentId,
      action: "deploy",
      resourceId,
      cost: "2",
    });
    if (d.outcome !== "pending_approval") throw new Error(d.outcome);
    return { session, ticketId: d.ticketId, proposalId: d.proposalId };
  }

  const approve = (ticketId: string, body?: unknown, token: string = TOKENS.approver, key?: string) =>
    h().call(`/v1/tickets/${ticketId}/approve`, {
      method: "POST",
      token,
      ...(body === undefined ? {} : { body }),
      ...(key === undefined ? {} : { headers: { "x-idempotency-key": key } }),
    });

  it("records the principal as decided_by and ignores decided_by in the body", async () => {
    const { ticketId } = await pending();
    const res = await approve(ticketId, { decided_by: "agent-a", reason: "checked" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ decided_by: "alice", decision_reason: "checked" });
    expect((await h().cp.getTicket(ticketId)).decidedBy).toBe("alice");
  });

  it("maps the scope fields onto the facade's session scope, which then waives the human", async () => {
    const { session, ticketId } = await pending();
    const expiry = new Date(Date.now() + 3_600_000).toISOString();
    const res = await approve(ticketId, {
      decision_type: "allow_for_session",
      scope_actions: ["deploy"],
      scope_resource_ids: ["svc-1", "svc-2"],
      scope_max_cost: "5.25",
      scope_max_action_count: 2,
      scope_expiry: expiry,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      decision_type: "allow_for_session",
      scope_actions: ["deploy"],
      scope_resource_ids: ["svc-1", "svc-2"],
      scope_max_cost: "5.25",
      scope_max_count: 2,
      scope_expiry: expiry,
    });
    const later = await h().cp.propose({
      sessionId: session.id,
      agentId: "agent-a",
      action: "deploy",
      resourceId: "svc-2",
      cost: "1",
    });
    expect(later.outcome).toBe("allowed");
    const outside = await h().cp.propose({
      sessionId: session.id,
      agentId: "agent-a",
      action: "deploy",
      resourceId: "svc-9",
      cost: "1",
    });
    expect(outside.outcome).toBe("pending_approval");
  });

  it("without a body approves once: a later identical action needs a human again", async () => {
    const { session, ticketId } = await pending();
    const res = await approve(ticketId);
    expect(await res.json()).toMatchObject({ status: "approved", decision_type: "allow_once" });
    const again = await h().cp.propose({ sessionId: session.id, agentId: "agent-a", action: "deploy" });
    expect(again.outcome).toBe("pending_approval");
  });

  it("takes an empty body sent as JSON for no body; malformed JSON is a 400 that decides nothing", async () => {
    const { ticketId } = await pending();
    const broken = await h().call(`/v1/tickets/${ticketId}/approve`, {
      token: TOKENS.approver,
      body: "{not json",
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: expect.stringMatching(/JSON/) });
    expect((await h().cp.getTicket(ticketId)).status).toBe("pending");
    // Clients that send Content-Type: application/json with an empty body (no payload to give) get the default.
    const empty = await h().call(`/v1/tickets/${ticketId}/approve`, {
      method: "POST",
      token: TOKENS.approver,
      headers: { "content-type": "application/json" },
    });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toMatchObject({ status: "approved", decision_type: "allow_once" });
  });

  it("answers 422 naming the required fields when a required body is sent empty", async () => {
    const session = await h().cp.openSession({ agentId: "agent-a" });
    const res = await h().call("/v1/proposals", {
      method: "POST",
      token: TOKENS.agentA,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(422);
    const paths = ((await res.json()) as { details: { issues: { path: string }[] } }).details.issues.map(
      (i) => i.path,
    );
    expect(paths).toEqual(expect.arrayContaining(["body.session_id", "body.action"]));
    expect(await h().cp.events(session.id)).toHaveLength(1);
  });

  it("names the body field in a 422 the facade raises, and changes nothing", async () => {
    const { ticketId } = await pending();
    const res = await approve(ticketId, { decision_type: "allow_for_session", scope_max_cost: "1.1234567" });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { details: { issues: { path: string }[] } };
    expect(body.details.issues.map((i) => i.path)).toEqual(["body.scope_max_cost"]);
    expect((await h().cp.getTicket(ticketId)).status).toBe("pending");
    const unknown = await approve(ticketId, { approver: "x" });
    expect(unknown.status).toBe(422);
    expect(JSON.stringify(await unknown.json())).toContain("approver");
  });

  it("refuses agent tokens (permission), whichever agent, and changes nothing", async () => {
    const { ticketId } = await pending("agent-a");
    const agent = await approve(ticketId, undefined, TOKENS.agentA);
    expect(agent.status).toBe(403);
    expect(await agent.json()).toMatchObject({ details: { code: "forbidden", needed: ["tickets.decide"] } });
    const deny = await h().call(`/v1/tickets/${ticketId}/deny`, { method: "POST", token: TOKENS.agentB });
    expect(deny.status).toBe(403);
    expect((await h().cp.getTicket(ticketId)).status).toBe("pending");
  });

  it("replays a repeated X-Idempotency-Key and answers 409 when the key is reused for another decision", async () => {
    const { ticketId } = await pending();
    const first = await (await approve(ticketId, { reason: "a" }, TOKENS.approver, "k-1")).json();
    const replay = await approve(ticketId, { reason: "a" }, TOKENS.approver, "k-1");
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual(first);
    const conflict = await approve(ticketId, { reason: "b" }, TOKENS.approver, "k-1");
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ details: { code: "idempotency_conflict" } });
    const decided = await h().call(`/v1/tickets/${ticketId}/deny`, {
      method: "POST",
      token: TOKENS.operator,
    });
    expect(decided.status).toBe(409);
    expect(await decided.json()).toMatchObject({ details: { code: "already_decided" } });
  });

  it("pages tickets with next_offset while pages are full", async () => {
    for (let i = 0; i < 3; i++) await pending("agent-a", `svc-${i}`);
    const p1 = (await (await h().call("/v1/tickets?limit=2", { token: TOKENS.viewer })).json()) as {
      items: unknown[];
      next_offset: number | null;
    };
    expect(p1.items).toHaveLength(2);
    expect(p1.next_offset).toBe(2);
    const p2 = (await (await h().call("/v1/tickets?limit=2&offset=2", { token: TOKENS.viewer })).json()) as {
      items: unknown[];
      next_offset: number | null;
    };
    expect(p2.items).toHaveLength(1);
    expect(p2.next_offset).toBeNull();
  });
});
