/**
 * A well-formed request for every route of {@link ROUTE_TABLE}, built on fresh resources of one agent, so the
 * auth matrix can tell "refused for who you are" from "refused for what you sent".
 */
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import type { HttpHarness } from "./http-server.js";
import { TOKENS } from "./http-server.js";

/** Resources of one agent, created through the facade before each call. */
export interface Owned {
  readonly agentId: string;
  readonly sessionId: string;
  /** A paused session of the agent (for `resume`). */
  readonly pausedSessionId: string;
  /** An allowed proposal still executing (for `complete` and `heartbeat`). */
  readonly proposalId: string;
  /** A pending approval ticket of the agent's session. */
  readonly ticketId: string;
  /** The token reservation of an allowed model call in the agent's session (for `settle`). */
  readonly tokenReservationId: string;
}

/** Registers `agentId` and creates the resources of {@link Owned} for it. */
export async function createOwned(cp: ControlPlane, agentId: string): Promise<Owned> {
  await cp.registerAgent({
    id: agentId,
    name: agentId,
    capabilities: ["read_file", "write_file", "send_payment"],
  });
  const session = await cp.openSession({ agentId, name: `${agentId} work` });
  const paused = await cp.openSession({ agentId, name: `${agentId} paused` });
  await cp.activateSession(paused.id);
  await cp.pauseSession(paused.id, "held for the matrix");
  const allowed = await cp.propose({
    sessionId: session.id,
    action: "write_file",
    resourceId: `${agentId}/notes.txt`,
  });
  const pending = await cp.propose({ sessionId: session.id, action: "send_payment", cost: "5" });
  const llm = await cp.propose({
    sessionId: session.id,
    action: "read_file",
    model: { model: "gpt-4o", identity: { orgId: "acme" }, inputTokens: 100, outputTokens: 50, cost: "0.01" },
  });
  if (allowed.outcome !== "allowed" || pending.outcome !== "pending_approval" || !pending.ticketId) {
    throw new Error(`fixture: unexpected decisions ${allowed.reason} / ${pending.reason}`);
  }
  if (llm.tokenReservationId === undefined) throw new Error(`fixture: no token reservation (${llm.reason})`);
  return {
    agentId,
    sessionId: session.id,
    pausedSessionId: paused.id,
    proposalId: allowed.proposalId,
    ticketId: pending.ticketId,
    tokenReservationId: llm.tokenReservationId,
  };
}

/** A concrete request: path with its query, and the JSON body if any. */
export interface BuiltRequest {
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

type Builder = (x: Owned, h: HttpHarness) => BuiltRequest | Promise<BuiltRequest>;

const key = () => ({ "x-idempotency-key": `matrix-${Math.random().toString(36).slice(2)}` });

/** The request builder of each route, keyed `"METHOD /path"` as in the route table. */
export const ROUTE_REQUESTS: Readonly<Record<string, Builder>> = {
  "GET /healthz": () => ({ path: "/healthz" }),
  "GET /readyz": () => ({ path: "/readyz" }),
  "GET /openapi.json": () => ({ path: "/openapi.json" }),
  "GET /v1/sessions": () => ({ path: "/v1/sessions" }),
  "GET /v1/sessions/{session_id}": (x) => ({ path: `/v1/sessions/${x.sessionId}` }),
  "GET /v1/tickets": (x) => ({ path: `/v1/tickets?session_id=${x.sessionId}&statuses=pending` }),
  "GET /v1/tickets/{ticket_id}": (x) => ({ path: `/v1/tickets/${x.ticketId}` }),
  "POST /v1/tickets/{ticket_id}/approve": (x) => ({
    path: `/v1/tickets/${x.ticketId}/approve`,
    body: { reason: "looks fine" },
    headers: key(),
  }),
  "POST /v1/tickets/{ticket_id}/deny": (x) => ({
    path: `/v1/tickets/${x.ticketId}/deny`,
    body: { reason: "no" },
    headers: key(),
  }),
  "GET /v1/events/state-changes": (x) => ({ path: `/v1/events/state-changes?session_id=${x.sessionId}` }),
  "GET /v1/health": () => ({ path: "/v1/health" }),
  "GET /v1/audit/checkpoint": () => ({ path: "/v1/audit/checkpoint" }),
  "GET /v1/audit/verify": (x) => ({ path: `/v1/audit/verify?session_id=${x.sessionId}` }),
  "POST /v1/token-reservations/{reservation_id}/settle": (x) => ({
    path: `/v1/token-reservations/${x.tokenReservationId}/settle`,
    body: { input_tokens: 90, output_tokens: 40 },
  }),
  "GET /v1/token-budgets": () => ({ path: "/v1/token-budgets" }),
  "POST /v1/token-budgets": () => ({
    path: "/v1/token-budgets",
    body: { identity: { org_id: "acme" }, period: "monthly", max_tokens: 1000 },
  }),
  "GET /v1/token-budgets/states": () => ({ path: "/v1/token-budgets/states" }),
  "GET /v1/token-budgets/usage-summary": () => ({
    path: "/v1/token-budgets/usage-summary?org_id=acme&period=monthly&window_start=2026-01-01T00:00:00Z",
  }),
  "GET /v1/mcp/tools": () => ({ path: "/v1/mcp/tools" }),
  "POST /v1/mcp/tools/accept": () => ({
    path: "/v1/mcp/tools/accept",
    body: { server: "files", tool: "write_file", fingerprint: "a".repeat(64) },
  }),
  "POST /v1/kill/session/{session_id}": (x) => ({
    path: `/v1/kill/session/${x.sessionId}`,
    body: { reason: "matrix" },
    headers: key(),
  }),
  "POST /v1/kill/system": () => ({ path: "/v1/kill/system", body: { reason: "matrix" }, headers: key() }),
  "POST /v1/sessions": (x) => ({ path: "/v1/sessions", body: { name: "from http", agent_id: x.agentId } }),
  "POST /v1/sessions/{session_id}/pause": (x) => ({
    path: `/v1/sessions/${x.sessionId}/pause`,
    body: { reason: "matrix" },
  }),
  "POST /v1/sessions/{session_id}/resume": (x) => ({
    path: `/v1/sessions/${x.pausedSessionId}/resume`,
    body: {},
  }),
  "POST /v1/sessions/{session_id}/close": (x) => ({ path: `/v1/sessions/${x.sessionId}/close`, body: {} }),
  "POST /v1/sessions/{session_id}/abort": (x) => ({
    path: `/v1/sessions/${x.sessionId}/abort`,
    body: { reason: "matrix" },
  }),
  "GET /v1/sessions/{session_id}/events": (x) => ({ path: `/v1/sessions/${x.sessionId}/events?limit=10` }),
  "GET /v1/sessions/{session_id}/policy": (x) => ({ path: `/v1/sessions/${x.sessionId}/policy` }),
  "POST /v1/proposals": (x) => ({
    path: "/v1/proposals",
    body: { session_id: x.sessionId, agent_id: x.agentId, action: "read_file", resource_id: "readme.md" },
    headers: key(),
  }),
  "GET /v1/proposals": (x) => ({ path: `/v1/proposals?session_id=${x.sessionId}` }),
  "GET /v1/proposals/{proposal_id}": (x) => ({ path: `/v1/proposals/${x.proposalId}` }),
  "POST /v1/proposals/{proposal_id}/complete": (x) => ({
    path: `/v1/proposals/${x.proposalId}/complete`,
    body: { ok: true },
    headers: key(),
  }),
  "POST /v1/proposals/{proposal_id}/heartbeat": (x) => ({
    path: `/v1/proposals/${x.proposalId}/heartbeat`,
    body: { ttl_ms: 30_000 },
  }),
  "GET /v1/tickets/{ticket_id}/wait": (x) => ({ path: `/v1/tickets/${x.ticketId}/wait?timeout_ms=0` }),
  "POST /v1/kill/agent/{agent_id}": (x) => ({
    path: `/v1/kill/agent/${x.agentId}`,
    body: { reason: "matrix" },
    headers: key(),
  }),
  "POST /v1/resume/system": () => ({ path: "/v1/resume/system", body: {}, headers: key() }),
  "POST /v1/resume/agent/{agent_id}": (x) => ({
    path: `/v1/resume/agent/${x.agentId}`,
    body: {},
    headers: key(),
  }),
  "POST /v1/resume/session/{session_id}": (x) => ({
    path: `/v1/resume/session/${x.sessionId}`,
    body: {},
    headers: key(),
  }),
  "GET /v1/kill-switches": () => ({ path: "/v1/kill-switches?engaged_only=true" }),
  "POST /v1/agents": () => ({ path: "/v1/agents", body: { id: "agent-new", name: "New" } }),
  "GET /v1/agents": () => ({ path: "/v1/agents" }),
  "GET /v1/agents/{agent_id}": (x) => ({ path: `/v1/agents/${x.agentId}` }),
  "POST /v1/delegations": (x) => ({
    path: "/v1/delegations",
    body: {
      from_agent_id: x.agentId,
      to_agent_id: "agent-helper",
      task: "summarise",
      session_id: x.sessionId,
    },
  }),
  "GET /v1/events/stream": (x) => ({ path: `/v1/events/stream?session_id=${x.sessionId}` }),
  "GET /v1/policies/current": () => ({ path: "/v1/policies/current" }),
  "POST /v1/policies/validate": () => ({
    path: "/v1/policies/validate",
    body: { policy: { version: 1, actions: { blocked: ["rm"] } } },
  }),
  "POST /v1/policies/test": () => ({
    path: "/v1/policies/test",
    body: { proposal: { action: "send_payment", cost: "5" } },
  }),
  "GET /v1/tokens": () => ({ path: "/v1/tokens" }),
  "POST /v1/tokens": () => ({ path: "/v1/tokens", body: { role: "viewer", name: "matrix" } }),
  "POST /v1/tokens/{token_id}/revoke": async (_x, h) => {
    const res = await h.call("/v1/tokens", {
      token: TOKENS.admin,
      body: { role: "viewer", name: "to revoke" },
    });
    const created = (await res.json()) as { id?: string };
    return { path: `/v1/tokens/${created.id ?? "unknown"}/revoke`, body: {} };
  },
};
