import { createRoute, z } from "@hono/zod-openapi";
import { assertOwnSessionFilter, authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { BEARER, errorResponses, LimitQuery, uuid } from "../schemas/common.js";
import { StateChangePageSchema, toStateChangePage } from "../schemas/state-change.js";

const stateChanges = createRoute({
  method: "get",
  path: "/v1/events/state-changes",
  operationId: "getStateChangeFeed",
  tags: ["Events"],
  summary: "Page of the global event feed after a cursor (an agent token must name a session of its own)",
  security: BEARER,
  request: {
    query: z.object({
      session_id: uuid().optional(),
      cursor: z.coerce
        .number()
        .int()
        .min(0)
        .max(Number.MAX_SAFE_INTEGER)
        .default(0)
        .openapi({ type: "integer", description: "Feed id of the last event seen (0: from the start)" }),
      limit: LimitQuery,
    }),
  },
  responses: {
    200: {
      description: "Feed page returned",
      content: { "application/json": { schema: StateChangePageSchema } },
    },
    ...errorResponses(401, 403, 404, 422),
  },
});

/** The contract's `GET /v1/events/state-changes`: the global feed paged by feed id. */
export function registerEventContractRoutes(app: HttpRouter, { controlPlane }: HttpDeps): void {
  app.openapi(stateChanges, async (c) => {
    const principal = authorize(c, "read", "read.own");
    const q = c.req.valid("query");
    await assertOwnSessionFilter(controlPlane, principal, q.session_id);
    const events = await controlPlane.feed({
      afterId: q.cursor,
      ...(q.session_id === undefined ? {} : { sessionId: q.session_id }),
      limit: q.limit,
    });
    return c.json(toStateChangePage(events, q.limit), 200);
  });
}
