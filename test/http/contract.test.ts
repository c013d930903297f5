import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ContractProbe } from "../support/contract-probe.js";
import { loadContract, type OpenApiDoc, operationsOf } from "../support/contract-validator.js";
import type { StorageCase } from "../support/control-plane-fixture.js";
import { type HttpHarness, startHttp, TEST_TOKENS, TOKENS } from "../support/http-server.js";
import { withAllStorageCases } from "../support/postgres-case.js";

const contract = loadContract();
const cases: StorageCase[] = await withAllStorageCases();

/** An approver whose name is agent-a's id: a party to agent-a's requests (self-approval). */
const OWNER_APPROVER = "owner-approver-token-0123456789";
const UNKNOWN = "0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d";
const T = {
  sessions: "/v1/sessions",
  session: "/v1/sessions/{session_id}",
  tickets: "/v1/tickets",
  ticket: "/v1/tickets/{ticket_id}",
  approve: "/v1/tickets/{ticket_id}/approve",
  deny: "/v1/tickets/{ticket_id}/deny",
  feed: "/v1/events/state-changes",
  health: "/v1/health",
  budgets: "/v1/token-budgets",
  budgetStates: "/v1/token-budgets/states",
  usage: "/v1/token-budgets/usage-summary",
  killSession: "/v1/kill/session/{session_id}",
  killSystem: "/v1/kill/system",
} as const;

/** Statuses the contract declares that no request can produce here. */
const UNREACHABLE: Readonly<Record<string, readonly number[]>> = {};

describe.each(cases)("every response of every v1 contract path ($name storage)", (storageCase) => {
  let harness: HttpHarness | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  const h = () => harness!;
  const probe = new ContractProbe(contract, h);

  beforeEach(async () => {
    const created = await storageCase.create();
    cleanup = created.cleanup;
    harness = await startHttp({
      storage: created.storage,
      tokens: [...TEST_TOKENS, { token: OWNER_APPROVER, role: "approver", name: "agent-a" }],
    });
  });
  afterEach(async () => {
    await harness?.close().catch(() => undefined);
    await cleanup?.().catch(() => undefined);
    harness = undefined;
  });

  /** A pending ticket of a session owned by agent-a. */
  async function pendingTicket() {
    const session = await h().cp.openSession({ agentId: "agent-a", name: `s-${Math.random()}` });
    const d = await h().cp.propose({
      sessionId: session.id,
      agentId: "agent-a",
      action: "deploy",
      cost: "2",
    });
    if (d.outcome !== "pending_approval") throw new Error(`expected a ticket, got ${d.outcome}`);
    return { session, ticketId: d.ticketId };
  }

  it("sessions: 200, 401, 403, 404, 422", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a", budget: { maxCost: "3.5" } });
    await h().cp.openSession({ agentId: "agent-b" });
    const list = await probe.call("GET", T.sessions, { token: TOKENS.viewer }, 200);
    expect(list).toHaveLength(2);
    expect(await probe.call("GET", T.sessions, { token: TOKENS.agentA }, 200)).toHaveLength(1);
    await probe.call("GET", T.sessions, {}, 401);
    await probe.call("GET", T.sessions, { token: "wrong" }, 401);
    await probe.call("GET", T.sessions, { token: TOKENS.viewer, query: "statuses=bogus" }, 422);
    await probe.call("GET", T.sessions, { token: TOKENS.viewer, query: "limit=0" }, 422);
    const one = await probe.call(
      "GET",
      T.session,
      { token: TOKENS.viewer, params: { session_id: s.id } },
      200,
    );
    expect(one).toMatchObject({ id: s.id, max_cost: "3.5", max_action_count: Number.MAX_SAFE_INTEGER });
    await probe.call("GET", T.session, { params: { session_id: s.id } }, 401);
    await probe.call("GET", T.session, { token: TOKENS.agentB, params: { session_id: s.id } }, 403);
    await probe.call("GET", T.session, { token: TOKENS.viewer, params: { session_id: UNKNOWN } }, 404);
    await probe.call("GET", T.session, { token: TOKENS.viewer, params: { session_id: "nope" } }, 422);
  });

  it("ticket reads: 200, 401, 403, 404, 422", async () => {
    const { session, ticketId } = await pendingTicket();
    const page = await probe.call("GET", T.tickets, { token: TOKENS.viewer, query: "statuses=pending" }, 200);
    expect(page.items.map((t: { id: string }) => t.id)).toEqual([ticketId]);
    const own = `session_id=${session.id}&limit=1`;
    expect(await probe.call("GET", T.tickets, { token: TOKENS.agentA, query: own }, 200)).toMatchObject({
      next_offset: 1,
    });
    await probe.call("GET", T.tickets, {}, 401);
    await probe.call("GET", T.tickets, { token: TOKENS.agentA }, 403);
    await probe.call("GET", T.tickets, { token: TOKENS.agentB, query: own }, 403);
    await probe.call("GET", T.tickets, { token: TOKENS.viewer, query: "statuses=open" }, 422);
    await probe.call("GET", T.tickets, { token: TOKENS.viewer, query: "session_id=x&offset=-1" }, 422);
    const params = { ticket_id: ticketId };
    await probe.call("GET", T.ticket, { token: TOKENS.agentA, params }, 200);
    await probe.call("GET", T.ticket, { params }, 401);
    await probe.call("GET", T.ticket, { token: TOKENS.agentB, params }, 403);
    await probe.call("GET", T.ticket, { token: TOKENS.viewer, params: { ticket_id: UNKNOWN } }, 404);
    await probe.call("GET", T.ticket, { token: TOKENS.viewer, params: { ticket_id: "1" } }, 422);
  });

  it("approve: 200, 401, 403, 404, 409, 422", async () => {
    const { ticketId } = await pendingTicket();
    const params = { ticket_id: ticketId };
    await probe.call("POST", T.approve, { params }, 401);
    await probe.call("POST", T.approve, { token: TOKENS.agentA, params }, 403);
    await probe.call("POST", T.approve, { token: TOKENS.viewer, params }, 403);
    const self = await probe.call("POST", T.approve, { token: OWNER_APPROVER, params }, 403);
    expect(self.details.code).toBe("self_approval");
    await probe.call("POST", T.approve, { token: TOKENS.approver, params, body: { bogus: 1 } }, 422);
    await probe.call(
      "POST",
      T.approve,
      { token: TOKENS.approver, params, body: { scope_max_cost: "x" } },
      422,
    );
    await probe.call("POST", T.approve, { token: TOKENS.approver, params: { ticket_id: "t" } }, 422);
    await probe.call("POST", T.approve, { token: TOKENS.approver, params: { ticket_id: UNKNOWN } }, 404);
    const body = { decided_by: "mallory", reason: "ok", decision_type: "allow_for_session" };
    const headers = { "x-idempotency-key": "approve-1" };
    const t = await probe.call("POST", T.approve, { token: TOKENS.approver, params, body, headers }, 200);
    expect(t).toMatchObject({ status: "approved", decided_by: "alice", decision_type: "allow_for_session" });
    await probe.call("POST", T.approve, { token: TOKENS.approver, params, body, headers }, 200);
    const reused = { ...body, reason: "changed" };
    await probe.call("POST", T.approve, { token: TOKENS.approver, params, body: reused, headers }, 409);
    await probe.call("POST", T.approve, { token: TOKENS.operator, params }, 409);
  });

  it("deny: 200, 401, 403, 404, 409, 422", async () => {
    const { ticketId } = await pendingTicket();
    const params = { ticket_id: ticketId };
    await probe.call("POST", T.deny, { params }, 401);
    await probe.call("POST", T.deny, { token: TOKENS.agentA, params }, 403);
    await probe.call("POST", T.deny, { token: TOKENS.approver, params, body: { reason: 5 } }, 422);
    await probe.call("POST", T.deny, { token: TOKENS.approver, params: { ticket_id: UNKNOWN } }, 404);
    const t = await probe.call(
      "POST",
      T.deny,
      { token: TOKENS.operator, params, body: { reason: "no" } },
      200,
    );
    expect(t).toMatchObject({ status: "denied", decided_by: "olivia", decision_reason: "no" });
    await probe.call("POST", T.deny, { token: TOKENS.approver, params, body: { reason: "again" } }, 409);
  });

  it("state-changes: 200, 401, 403, 422", async () => {
    const { session } = await pendingTicket();
    await h().cp.registerAgent({ id: "agent-a" }); // a system-wide event: nil-UUID session, seq 0
    const all = await probe.call("GET", T.feed, { token: TOKENS.viewer, query: "limit=2" }, 200);
    expect(all.items).toHaveLength(2);
    expect(all.next_cursor).toBe(all.items[1].cursor);
    const rest = await probe.call(
      "GET",
      T.feed,
      { token: TOKENS.viewer, query: `cursor=${all.next_cursor}` },
      200,
    );
    expect(rest.items[0].cursor).toBeGreaterThan(all.next_cursor);
    expect(rest.next_cursor).toBeNull();
    expect(rest.items.at(-1).event).toMatchObject({
      session_id: "00000000-0000-0000-0000-000000000000",
      seq: 0,
    });
    await probe.call("GET", T.feed, { token: TOKENS.agentA, query: `session_id=${session.id}` }, 200);
    await probe.call("GET", T.feed, {}, 401);
    await probe.call("GET", T.feed, { token: TOKENS.agentA }, 403);
    await probe.call("GET", T.feed, { token: TOKENS.agentB, query: `session_id=${session.id}` }, 403);
    await probe.call("GET", T.feed, { token: TOKENS.viewer, query: "cursor=-1" }, 422);
    await probe.call("GET", T.feed, { token: TOKENS.viewer, query: "limit=5000" }, 422);
  });

  it("health: 200, 401", async () => {
    await pendingTicket();
    const health = await probe.call("GET", T.health, { token: TOKENS.agentA }, 200);
    expect(health).toMatchObject({ total_sessions: 1, active_sessions: 1, pending_tickets: 1 });
    await probe.call("GET", T.health, {}, 401);
  });

  it("token budgets: 200, 201, 401, 404, 422", async () => {
    for (const path of [T.budgets, T.budgetStates]) {
      await probe.call("GET", path, {}, 401);
      await probe.call("GET", path, { token: TOKENS.viewer, query: "user_id=" }, 422);
      expect(await probe.call("GET", path, { token: TOKENS.viewer, query: "user_id=u1" }, 200)).toEqual([]);
    }
    const body = {
      identity: { user_id: "u1", org_id: null },
      period: "monthly",
      max_tokens: 1000,
      max_cost_usd: "2.5",
      allowed_models: ["gpt-4o"],
    };
    await probe.call("POST", T.budgets, { body }, 401);
    await probe.call("POST", T.budgets, { token: TOKENS.admin, body: { ...body, period: "yearly" } }, 422);
    await probe.call(
      "POST",
      T.budgets,
      { token: TOKENS.admin, body: { user_id: "u1", period: "daily" } },
      422,
    );
    const created = await probe.call("POST", T.budgets, { token: TOKENS.operator, body }, 201);
    expect(created).toMatchObject({
      identity: { user_id: "u1", org_id: null, team_id: null },
      period: "monthly",
      max_tokens: 1000,
      max_cost_usd: "2.5",
      allowed_models: ["gpt-4o"],
    });
    const listed = await probe.call("GET", T.budgets, { token: TOKENS.viewer, query: "user_id=u1" }, 200);
    expect(listed).toEqual([created]);
    expect(await probe.call("GET", T.budgets, { token: TOKENS.viewer, query: "user_id=u2" }, 200)).toEqual(
      [],
    );
    const [state] = (await probe.call(
      "GET",
      T.budgetStates,
      { token: TOKENS.viewer, query: "user_id=u1" },
      200,
    )) as {
      config_id: string;
      used_tokens: number;
      remaining_tokens: number;
    }[];
    expect(state).toMatchObject({
      config_id: (created as { id: string }).id,
      used_tokens: 0,
      remaining_tokens: 1000,
    });
    const usage = "user_id=u1&period=monthly&window_start=2000-01-01T00:00:00Z";
    await probe.call("GET", T.usage, { query: usage }, 401);
    await probe.call("GET", T.usage, { token: TOKENS.viewer, query: "period=daily" }, 422);
    await probe.call("GET", T.usage, { token: TOKENS.viewer, query: "period=hourly&window_start=x" }, 422);
    await probe.call("GET", T.usage, { token: TOKENS.viewer, query: usage }, 404);
    const session = await h().cp.openSession({ agentId: "agent-a" });
    const d = await h().cp.propose({
      sessionId: session.id,
      agentId: "agent-a",
      action: "read_file",
      model: { model: "gpt-4o", identity: { userId: "u1" }, inputTokens: 10, outputTokens: 5, cost: "0.01" },
    });
    expect(d.outcome).toBe("allowed");
    await h().cp.settleTokens(d.tokenReservationId!, { inputTokens: 12, outputTokens: 6, cost: "0.02" });
    const summary = await probe.call("GET", T.usage, { token: TOKENS.viewer, query: usage }, 200);
    expect(summary).toMatchObject({
      identity: { user_id: "u1", org_id: null, team_id: null },
      total_input_tokens: 12,
      total_output_tokens: 6,
      total_tokens: 18,
      total_cost_usd: "0.02",
      model_breakdown: { "gpt-4o": 18 },
      action_count: 1,
    });
  });

  it("kill session and kill system: 200, 401, 403, 404, 409, 422", async () => {
    const { session, ticketId } = await pendingTicket();
    const params = { session_id: session.id };
    await probe.call("POST", T.killSession, { params }, 401);
    await probe.call("POST", T.killSession, { token: TOKENS.agentA, params }, 403);
    await probe.call("POST", T.killSession, { token: TOKENS.approver, params }, 403);
    await probe.call("POST", T.killSession, { token: TOKENS.operator, params, body: { reason: 1 } }, 422);
    await probe.call("POST", T.killSession, { token: TOKENS.operator, params: { session_id: "s" } }, 422);
    await probe.call("POST", T.killSession, { token: TOKENS.operator, params: { session_id: UNKNOWN } }, 404);
    const headers = { "x-idempotency-key": "kill-1" };
    const r = await probe.call("POST", T.killSession, { token: TOKENS.operator, params, headers }, 200);
    expect(r).toMatchObject({ scope: "session_abort", session_id: session.id, sessions_aborted: 1 });
    expect(r.tickets_denied).toBe(1);
    const other = { reason: "different" };
    await probe.call("POST", T.killSession, { token: TOKENS.operator, params, headers, body: other }, 409);
    expect((await h().cp.getTicket(ticketId)).status).toBe("denied");
    await probe.call("POST", T.killSystem, {}, 401);
    await probe.call("POST", T.killSystem, { token: TOKENS.viewer }, 403);
    await probe.call("POST", T.killSystem, { token: TOKENS.admin, body: { why: "x" } }, 422);
    const sys = await probe.call(
      "POST",
      T.killSystem,
      { token: TOKENS.admin, body: { reason: "drill" } },
      200,
    );
    expect(sys).toMatchObject({ scope: "system_halt", session_id: null, tickets_denied: 0 });
  });

  it("every contract path and method is in /openapi.json", async () => {
    const ours = (await (await h().call("/openapi.json")).json()) as OpenApiDoc;
    const served = new Set(operationsOf(ours));
    const missing = operationsOf(contract).filter((op) => !served.has(op));
    expect(missing).toEqual([]);
  });

  it("the tests above saw every status the contract declares for every operation", () => {
    const gaps: string[] = [];
    for (const op of operationsOf(contract)) {
      const [method, path] = op.split(" ") as [string, string];
      const declared = Object.keys(contract.paths[path]![method.toLowerCase()]!.responses ?? {})
        .filter((s) => s !== "default")
        .map(Number)
        .filter((s) => !(UNREACHABLE[op] ?? []).includes(s));
      const seen = probe.seen.get(op) ?? new Set();
      for (const s of declared) if (!seen.has(s)) gaps.push(`${op} ${s}`);
    }
    expect(gaps).toEqual([]);
  });
});
