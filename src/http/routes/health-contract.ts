import { createRoute } from "@hono/zod-openapi";
import { authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { BEARER, errorResponses } from "../schemas/common.js";
import { SessionHealthSchema, toSessionHealth } from "../schemas/session-health.js";

const health = createRoute({
  method: "get",
  path: "/v1/health",
  operationId: "getHealthSnapshot",
  tags: ["Health"],
  summary: "Control-plane health snapshot: sessions by status, pending tickets",
  security: BEARER,
  responses: {
    200: {
      description: "Health snapshot returned",
      content: { "application/json": { schema: SessionHealthSchema } },
    },
    ...errorResponses(401, 403),
  },
});

/** The contract's `GET /v1/health`. */
export function registerHealthContractRoutes(app: HttpRouter, { controlPlane, now }: HttpDeps): void {
  app.openapi(health, async (c) => {
    authorize(c, "read", "read.own");
    return c.json(toSessionHealth(await controlPlane.health(), now()), 200);
  });
}
