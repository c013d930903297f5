import type { Context, MiddlewareHandler } from "hono";
import type { Authenticator } from "../auth/authenticator.js";
import { can, type Permission, type Principal } from "../auth/roles.js";
import type { ControlPlane } from "../control-plane/control-plane.js";
import type { HttpEnv } from "./context.js";
import { errorResponse, httpError } from "./errors.js";

/**
 * Authenticates every request it covers: `Authorization: Bearer <credential>` must resolve to a principal,
 * else 401 in the envelope (with `WWW-Authenticate`). A storage fault while authenticating answers 503.
 */
export function authenticate(auth: Authenticator): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    const challenge = { "www-authenticate": 'Bearer realm="agent-control-plane"' };
    if (match === null) {
      return errorResponse(
        "unauthorized",
        "missing bearer token (Authorization: Bearer <token>)",
        {},
        challenge,
      );
    }
    const principal = await auth.authenticate(match[1]!);
    if (principal === undefined) {
      return errorResponse("unauthorized", "invalid, expired or revoked token", {}, challenge);
    }
    c.set("principal", principal);
    await next();
  };
}

/**
 * The principal of the request if it holds one of `permissions`; else throws 403 naming what was needed.
 * Use the `*.own` permissions together with {@link assertOwnAgent} on the resource.
 */
export function authorize(c: Context<HttpEnv>, ...permissions: Permission[]): Principal {
  const principal = c.get("principal");
  if (permissions.some((p) => can(principal, p))) return principal;
  throw httpError(
    "forbidden",
    `role "${principal.role}" may not do this (needs ${permissions.join(" or ")})`,
    {
      role: principal.role,
      needed: permissions,
    },
  );
}

/**
 * The operator name recorded as the `actor` of a write (`by` in audit events, `engaged_by` of a kill switch):
 * the principal's name, cut to the 200 characters the control plane accepts.
 */
export function actorOf(principal: Principal): string {
  return principal.name.slice(0, 200);
}

/**
 * For an `agent` principal: throws 403 unless the resource belongs to its own agent (`ownerAgentId`). Other
 * principals pass. A resource of no agent (`null`) belongs to no agent principal.
 */
export function assertOwnAgent(principal: Principal, ownerAgentId: string | null, what: string): void {
  if (principal.role !== "agent" || ownerAgentId === principal.agentId) return;
  throw httpError("forbidden", `agent "${principal.agentId}" may not act on ${what} of another agent`, {
    agentId: principal.agentId,
  });
}

/**
 * For an `agent` principal: throws 403 unless session `sessionId` belongs to its agent (404 if there is no such
 * session). Other principals pass without a read.
 */
export async function assertOwnSession(
  controlPlane: ControlPlane,
  principal: Principal,
  sessionId: string,
  what = `session ${sessionId}`,
): Promise<void> {
  if (principal.role !== "agent") return;
  assertOwnAgent(principal, (await controlPlane.getSession(sessionId)).agentId, what);
}

/**
 * For an `agent` principal listing or streaming something filtered by session: the filter must name one of its
 * own sessions (403 without one or for another agent's). Other principals pass without a read.
 */
export async function assertOwnSessionFilter(
  controlPlane: ControlPlane,
  principal: Principal,
  sessionId: string | undefined,
): Promise<void> {
  if (principal.role !== "agent") return;
  if (sessionId === undefined) {
    throw httpError("forbidden", "an agent token must pass session_id of one of its own sessions", {
      agentId: principal.agentId,
    });
  }
  await assertOwnSession(controlPlane, principal, sessionId);
}
