import { createRoute, z } from "@hono/zod-openapi";
import { actorOf, authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { BEARER, errorResponses, IdempotencyHeaders, uuid } from "../schemas/common.js";
import { KillRequestSchema, KillResultSchema, toKillResult } from "../schemas/kill-result.js";

/** Default reasons of the original gateway when the body gives none. */
export const DEFAULT_KILL_REASON = { session: "Kill switch triggered", global: "System halt" } as const;

const body = { required: false, content: { "application/json": { schema: KillRequestSchema } } };
const result = {
  description: "Kill result returned",
  content: { "application/json": { schema: KillResultSchema } },
};

const killSession = createRoute({
  method: "post",
  path: "/v1/kill/session/{session_id}",
  operationId: "killSession",
  tags: ["Safety"],
  summary: "Engage the session kill switch: abort the session, deny its pending tickets",
  security: BEARER,
  request: { params: z.object({ session_id: uuid() }), headers: IdempotencyHeaders, body },
  responses: { 200: result, ...errorResponses(401, 403, 404, 409, 422) },
});

const killSystem = createRoute({
  method: "post",
  path: "/v1/kill/system",
  operationId: "killSystem",
  tags: ["Safety"],
  summary: "Engage the global kill switch: abort every live session, deny every pending ticket",
  security: BEARER,
  request: { headers: IdempotencyHeaders, body },
  responses: { 200: result, ...errorResponses(401, 403, 409, 422) },
});

/** The contract's kill paths: `POST /v1/kill/session/{session_id}` and `POST /v1/kill/system`. */
export function registerKillContractRoutes(app: HttpRouter, { controlPlane }: HttpDeps): void {
  app.openapi(killSession, async (c) => {
    const principal = authorize(c, "kill");
    const key = c.req.valid("header")["x-idempotency-key"];
    const result = await controlPlane.kill({
      scope: "session",
      sessionId: c.req.valid("param").session_id,
      reason: c.req.valid("json").reason ?? DEFAULT_KILL_REASON.session,
      actor: actorOf(principal),
      ...(key === undefined ? {} : { idempotencyKey: key }),
    });
    return c.json(toKillResult(result), 200);
  });

  app.openapi(killSystem, async (c) => {
    const principal = authorize(c, "kill");
    const key = c.req.valid("header")["x-idempotency-key"];
    const result = await controlPlane.kill({
      scope: "global",
      reason: c.req.valid("json").reason ?? DEFAULT_KILL_REASON.global,
      actor: actorOf(principal),
      ...(key === undefined ? {} : { idempotencyKey: key }),
    });
    return c.json(toKillResult(result), 200);
  });
}
