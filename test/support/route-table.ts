/**
 * The whole HTTP API as a declarative table: each route with who may call it (the permissions of
 * `src/auth/roles.ts`) and what an allowed call answers. The auth matrix derives every role's expected status
 * from it; the fuzz uses it to tell a legitimate 2xx from a leak.
 */
import { type Permission, ROLE_PERMISSIONS, type Role } from "../../src/auth/roles.js";

/** One route of the API. */
export interface RouteRule {
  readonly method: "GET" | "POST";
  /** OpenAPI-style path (`/v1/tickets/{ticket_id}`), as listed in `/openapi.json`. */
  readonly path: string;
  /**
   * `public`: no token needed; `authenticated`: any valid token (the 501 placeholders); else the permissions of
   * which the principal needs one.
   */
  readonly access: "public" | "authenticated" | readonly Permission[];
  /** The status of an allowed, well-formed call. */
  readonly ok: number;
  /**
   * True when an `agent` principal reaches the route through a `*.own` permission and the request names a
   * resource (session, proposal, ticket, agent id in the body): on another agent's resource it gets 403.
   */
  readonly scoped?: boolean;
}

const READ: readonly Permission[] = ["read", "read.own"];
const r = (
  method: RouteRule["method"],
  path: string,
  access: RouteRule["access"],
  ok: number,
  scoped = false,
): RouteRule => ({ method, path, access, ok, scoped });

/** Every route of the API (the route table of issue 9). */
export const ROUTE_TABLE: readonly RouteRule[] = [
  r("GET", "/healthz", "public", 200),
  r("GET", "/readyz", "public", 200),
  r("GET", "/openapi.json", "public", 200),
  // Contract paths.
  r("GET", "/v1/sessions", READ, 200),
  r("GET", "/v1/sessions/{session_id}", READ, 200, true),
  r("GET", "/v1/tickets", READ, 200, true),
  r("GET", "/v1/tickets/{ticket_id}", READ, 200, true),
  r("POST", "/v1/tickets/{ticket_id}/approve", ["tickets.decide"], 200),
  r("POST", "/v1/tickets/{ticket_id}/deny", ["tickets.decide"], 200),
  r("GET", "/v1/events/state-changes", READ, 200, true),
  r("GET", "/v1/health", READ, 200),
  r("GET", "/v1/token-budgets", ["read"], 200),
  r("POST", "/v1/token-budgets", ["token_budgets.manage"], 201),
  r("GET", "/v1/token-budgets/states", ["read"], 200),
  r("GET", "/v1/token-budgets/usage-summary", ["read"], 404),
  r("POST", "/v1/kill/session/{session_id}", ["kill"], 200),
  r("POST", "/v1/kill/system", ["kill"], 200),
  // Write paths for agent runtimes.
  r("POST", "/v1/sessions", ["sessions.own", "sessions.control"], 201, true),
  r("POST", "/v1/sessions/{session_id}/pause", ["sessions.own", "sessions.control"], 200, true),
  r("POST", "/v1/sessions/{session_id}/resume", ["sessions.own", "sessions.control"], 200, true),
  r("POST", "/v1/sessions/{session_id}/close", ["sessions.own", "sessions.control"], 200, true),
  r("POST", "/v1/sessions/{session_id}/abort", ["sessions.own", "sessions.control"], 200, true),
  r("GET", "/v1/sessions/{session_id}/events", READ, 200, true),
  r("GET", "/v1/sessions/{session_id}/policy", READ, 200, true),
  r("POST", "/v1/proposals", ["act.own"], 200, true),
  r("GET", "/v1/proposals", READ, 200, true),
  r("GET", "/v1/proposals/{proposal_id}", READ, 200, true),
  r("POST", "/v1/proposals/{proposal_id}/complete", ["act.own"], 200, true),
  r("POST", "/v1/proposals/{proposal_id}/heartbeat", ["act.own"], 200, true),
  r("GET", "/v1/tickets/{ticket_id}/wait", READ, 200, true),
  r("POST", "/v1/kill/agent/{agent_id}", ["kill"], 200),
  r("POST", "/v1/resume/system", ["kill"], 200),
  r("POST", "/v1/resume/agent/{agent_id}", ["kill"], 200),
  r("POST", "/v1/resume/session/{session_id}", ["kill"], 200),
  r("GET", "/v1/kill-switches", ["read"], 200),
  r("POST", "/v1/agents", ["agents.manage"], 201),
  r("GET", "/v1/agents", ["read"], 200),
  r("GET", "/v1/agents/{agent_id}", ["read"], 200),
  r("POST", "/v1/delegations", ["agents.manage", "act.own"], 201, true),
  r("GET", "/v1/events/stream", READ, 200, true),
  r("GET", "/v1/policies/current", ["read"], 200),
  r("POST", "/v1/policies/validate", ["read"], 200),
  r("POST", "/v1/policies/test", ["policies.test"], 200),
  // Held MCP tools: 501 on a server without an MCP proxy (the auth matrix's app has none).
  r("GET", "/v1/mcp/tools", ["read"], 501),
  r("POST", "/v1/mcp/tools/accept", ["mcp.tools.accept"], 501),
  // Tokens.
  r("GET", "/v1/tokens", ["tokens.manage"], 200),
  r("POST", "/v1/tokens", ["tokens.manage"], 201),
  r("POST", "/v1/tokens/{token_id}/revoke", ["tokens.manage"], 200),
  // Audit: 404 on a server without audit keys (the auth matrix's app has none), so nothing sealed.
  r("GET", "/v1/audit/checkpoint", ["read"], 404),
  r("GET", "/v1/audit/verify", ["read"], 200),
  r("POST", "/v1/token-reservations/{reservation_id}/settle", ["act.own", "token_budgets.manage"], 200, true),
];

/** The callers of the matrix: no token, each role, and an agent on its own or on another agent's resources. */
export const CALLERS = ["none", "agentOwn", "agentOther", "viewer", "approver", "operator", "admin"] as const;
/** One of {@link CALLERS}. */
export type Caller = (typeof CALLERS)[number];

/** The role behind a caller (`undefined` for no token). */
export function roleOf(caller: Caller): Role | undefined {
  if (caller === "none") return undefined;
  return caller === "agentOwn" || caller === "agentOther" ? "agent" : caller;
}

/** Whether `role` may call `rule` at all (holding one of its permissions), ignoring resource ownership. */
export function roleMayCall(rule: RouteRule, role: Role | undefined): boolean {
  if (rule.access === "public") return true;
  if (role === undefined) return false;
  if (rule.access === "authenticated") return true;
  return rule.access.some((p) => ROLE_PERMISSIONS[role].includes(p));
}

/** The status `caller` must get from a well-formed call of `rule`, derived from the permissions alone. */
export function expectedStatus(rule: RouteRule, caller: Caller): number {
  if (rule.access === "public") return rule.ok;
  const role = roleOf(caller);
  if (role === undefined) return 401;
  if (!roleMayCall(rule, role)) return 403;
  if (caller === "agentOther" && rule.scoped) return 403;
  return rule.ok;
}

/** The table entry for a method and OpenAPI path, if any. */
export function findRule(method: string, path: string): RouteRule | undefined {
  return ROUTE_TABLE.find((x) => x.method === method.toUpperCase() && x.path === path);
}
