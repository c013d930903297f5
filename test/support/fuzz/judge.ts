/**
 * How the fuzz judges an answer. Never a 5xx (the 501 placeholder aside); a 2xx only for a documented method,
 * with a valid token on a secured route, for a role holding one of the route's permissions (route table);
 * anything else 4xx in the envelope `{error: string, details: {code: string}}`.
 */
import type { Role } from "../../../src/auth/roles.js";
import type { ControlPlane } from "../../../src/control-plane/control-plane.js";
import type { RawResponse } from "../raw-http.js";
import { findRule, roleMayCall } from "../route-table.js";
import type { FuzzRoute } from "./openapi-routes.js";
import type { FuzzCase } from "./request-arbitrary.js";

/** The role behind each token key of the fuzz. */
export const ROLE_OF_TOKEN: Record<string, Role> = {
  admin: "admin",
  operator: "operator",
  approver: "approver",
  viewer: "viewer",
  agentA: "agent",
  agentB: "agent",
};

/** Count and last id of the global audit feed, read through the facade. */
export async function auditMark(cp: ControlPlane): Promise<{ count: number; lastId: number }> {
  let lastId = 0;
  let count = 0;
  for (;;) {
    const page = await cp.feed({ afterId: lastId, limit: 1000 });
    if (page.length === 0) return { count, lastId };
    count += page.length;
    lastId = page[page.length - 1]!.id;
  }
}

/** Whether a request can change state when accepted: a write-capable role on a writing method. */
export function mayWrite(c: FuzzCase): boolean {
  if (c.credential.kind !== "valid") return false;
  if (c.request.method === "GET" || c.request.method === "OPTIONS") return false;
  return ROLE_OF_TOKEN[c.credential.role] !== "viewer";
}

/** A response the fuzz found wrong, with the request that got it. */
export interface Finding {
  readonly index: number;
  readonly problem: string;
  readonly request: string;
  readonly status: number;
  readonly body: string;
}

/** One line naming a generated request, for a finding. */
export function describeRequest(c: FuzzCase): string {
  const body = c.request.body === undefined ? "" : ` body=${String(c.request.body).slice(0, 200)}`;
  return `${c.request.method} ${c.request.path.slice(0, 200)} auth=${
    c.credential.kind === "valid" ? c.credential.role : String(c.credential.header).slice(0, 40)
  } ct=${String(c.request.headers?.["content-type"])}${body}`;
}

/** Checks one answer; returns what is wrong with it, if anything. */
export function judge(c: FuzzCase, res: RawResponse, routes: readonly FuzzRoute[]): string | undefined {
  // 501 is the documented placeholder of routes still to come (token budgets), not a fault.
  if (res.status >= 500 && !(res.status === 501 && res.text.includes('"not_implemented"'))) return "5xx";
  if (res.status >= 200 && res.status < 300) {
    const op = routes.find((r) => r.method === c.request.method && r.path === c.route.path);
    if (!op) return "2xx on an undocumented method";
    const role = c.credential.kind === "valid" ? ROLE_OF_TOKEN[c.credential.role] : undefined;
    const rule = findRule(op.method, op.path);
    const secured = rule ? rule.access !== "public" : op.secured;
    if (secured && role === undefined) return "2xx without a valid token";
    if (rule && !roleMayCall(rule, role)) return `2xx for role ${role} lacking the route's permissions`;
    return undefined;
  }
  if (res.status < 400) return `unexpected ${res.status}`;
  try {
    const body = JSON.parse(res.text) as { error?: unknown; details?: { code?: unknown } };
    if (typeof body.error !== "string" || typeof body.details?.code !== "string") return "not the envelope";
  } catch {
    return "non-JSON error body";
  }
  return undefined;
}
