import { createRoute, z } from "@hono/zod-openapi";
import { SESSION_STATUSES } from "../../types/session.js";
import { assertOwnAgent, authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { BEARER, csvEnum, errorResponses, LimitQuery, OffsetQuery, uuid } from "../schemas/common.js";
import { SessionStateSchema, toSessionState } from "../schemas/session-state.js";

const listSessions = createRoute({
  method: "get",
  path: "/v1/sessions",
  operationId: "listSessions",
  tags: ["Sessions"],
  summary: "List sessions (an agent token sees its own)",
  security: BEARER,
  request: {
    query: z.object({
      statuses: csvEnum(SESSION_STATUSES),
      limit: LimitQuery,
      offset: OffsetQuery,
      agent_id: z.string().min(1).optional(),
    }),
  },
  responses: {
    200: {
      description: "Sessions returned",
      content: { "application/json": { schema: z.array(SessionStateSchema) } },
    },
    ...errorResponses(401, 403, 422),
  },
});

const getSession = createRoute({
  method: "get",
  path: "/v1/sessions/{session_id}",
  operationId: "getSession",
  tags: ["Sessions"],
  summary: "Get a session by id",
  security: BEARER,
  request: { params: z.object({ session_id: uuid() }) },
  responses: {
    200: { description: "Session returned", content: { "application/json": { schema: SessionStateSchema } } },
    ...errorResponses(401, 403, 404, 422),
  },
});

/** The contract's session reads: `GET /v1/sessions` and `GET /v1/sessions/{session_id}`. */
export function registerSessionContractRoutes(app: HttpRouter, { controlPlane }: HttpDeps): void {
  app.openapi(listSessions, async (c) => {
    const principal = authorize(c, "read", "read.own");
    const q = c.req.valid("query");
    const agentId = principal.role === "agent" ? principal.agentId! : q.agent_id;
    const sessions = await controlPlane.listSessions({
      ...(q.statuses ? { statuses: q.statuses } : {}),
      ...(agentId === undefined ? {} : { agentId }),
      limit: q.limit,
      offset: q.offset,
    });
    return c.json(sessions.map(toSessionState), 200);
  });

  app.openapi(getSession, async (c) => {
    const principal = authorize(c, "read", "read.own");
    const session = await controlPlane.getSession(c.req.valid("param").session_id);
    assertOwnAgent(principal, session.agentId, `session ${session.id}`);
    return c.json(toSessionState(session), 200);
  });
}
