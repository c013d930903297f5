import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";

const UNKNOWN = "0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d";

interface DecisionJson {
  proposal_id: string;
  outcome: string;
  code: string;
  ticket_id: string | null;
}

describe("GET /v1/tickets/{ticket_id}/wait", () => {
  const h = useHttp();

  async function pending() {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const res = await h().call("/v1/proposals", {
      token: TOKENS.agentA,
      body: { session_id: s.id, action: "send_payment", resource_id: "inv-7", cost: "3" },
    });
    const d = (await res.json()) as DecisionJson;
    expect(d).toMatchObject({ outcome: "pending_approval", code: "approval_required" });
    return { session: s, decision: d, ticketId: d.ticket_id! };
  }

  it("is woken by an approval in the same process", async () => {
    const { ticketId } = await pending();
    const waiting = h().call(`/v1/tickets/${ticketId}/wait?timeout_ms=60000`, { token: TOKENS.agentA });
    // Approve only once the waiter is registered: the ticket is still pending while the request is open.
    await new Promise((r) => setTimeout(r, 50));
    expect((await h().cp.getTicket(ticketId)).status).toBe("pending");
    await h().cp.approve(ticketId, { decidedBy: "alice", reason: "ok" });
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "approved",
      timed_out: false,
      ticket: { id: ticketId, status: "approved", decided_by: "alice" },
    });
  });

  it("answers timed_out with timeout_ms=0 while pending; validates timeout_ms; 404 unknown", async () => {
    const { ticketId } = await pending();
    const res = await h().call(`/v1/tickets/${ticketId}/wait?timeout_ms=0`, { token: TOKENS.viewer });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "pending",
      timed_out: true,
      ticket: { status: "pending" },
    });
    for (const bad of ["60001", "-1", "soon"]) {
      const r = await h().call(`/v1/tickets/${ticketId}/wait?timeout_ms=${bad}`, { token: TOKENS.viewer });
      expect(r.status).toBe(422);
      expect(await r.json()).toMatchObject({ details: { issues: [{ path: "query.timeout_ms" }] } });
    }
    expect(
      (await h().call(`/v1/tickets/${UNKNOWN}/wait?timeout_ms=0`, { token: TOKENS.viewer })).status,
    ).toBe(404);
    expect((await h().call(`/v1/tickets/${ticketId}/wait?timeout_ms=0`)).status).toBe(401);
  });

  it("refuses another agent's token (403)", async () => {
    const { ticketId } = await pending();
    const res = await h().call(`/v1/tickets/${ticketId}/wait?timeout_ms=0`, { token: TOKENS.agentB });
    expect(res.status).toBe(403);
  });

  it("answers a pending long poll at once when the app closes", async () => {
    const { ticketId } = await pending();
    const waiting = h().call(`/v1/tickets/${ticketId}/wait?timeout_ms=60000`, { token: TOKENS.agentA });
    await new Promise((r) => setTimeout(r, 50));
    h().app.close();
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "pending", timed_out: true });
  });

  it("propose → wait → approve → retry proceeds → complete, all over HTTP", async () => {
    const { session, decision, ticketId } = await pending();
    const waiting = h().call(`/v1/tickets/${ticketId}/wait?timeout_ms=60000`, { token: TOKENS.agentA });
    await new Promise((r) => setTimeout(r, 50));
    await h().cp.approve(ticketId, { decidedBy: "alice" });
    expect(await (await waiting).json()).toMatchObject({ status: "approved", timed_out: false });

    const retry = await h().call("/v1/proposals", {
      token: TOKENS.agentA,
      body: { session_id: session.id, action: "send_payment", resource_id: "inv-7", cost: "3" },
    });
    const allowed = (await retry.json()) as DecisionJson;
    expect(allowed).toMatchObject({
      outcome: "allowed",
      code: "approved",
      proposal_id: decision.proposal_id,
    });

    const done = await h().call(`/v1/proposals/${allowed.proposal_id}/complete`, {
      token: TOKENS.agentA,
      body: { ok: true, output: { payment: "p-1" } },
    });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ status: "succeeded", actual_cost: "3" });
    const kinds = (await h().cp.events(session.id)).map((e) => e.kind);
    expect(kinds).toContain("approval_granted");
    expect(kinds.at(-1)).toBe("execution_completed");
  });
});
