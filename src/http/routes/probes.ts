import { createRoute, z } from "@hono/zod-openapi";
import type { HttpDeps, HttpRouter } from "../context.js";
import { errorResponse } from "../errors.js";
import { errorResponses } from "../schemas/common.js";

/** How long `/readyz` waits for its storage read before answering 503. */
export const READY_TIMEOUT_MS = 2_000;

const healthz = createRoute({
  method: "get",
  path: "/healthz",
  operationId: "healthz",
  tags: ["Probes"],
  summary: "Liveness: the process answers (no auth, no storage access)",
  responses: {
    200: {
      description: "Alive",
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }).openapi("Liveness") } },
    },
  },
});

const readyz = createRoute({
  method: "get",
  path: "/readyz",
  operationId: "readyz",
  tags: ["Probes"],
  summary: "Readiness: one cheap storage read succeeds in time and the server is not shutting down (no auth)",
  responses: {
    200: {
      description: "Ready",
      content: {
        "application/json": { schema: z.object({ status: z.literal("ready") }).openapi("Readiness") },
      },
    },
    ...errorResponses(503),
  },
});

/**
 * `GET /healthz` (alive) and `GET /readyz` (storage reachable: one small read through the facade within
 * {@link READY_TIMEOUT_MS}; 503 in the envelope otherwise, and once the app is closing so that a load
 * balancer drains it). Both are outside `/v1` and need no token.
 */
export function registerProbeRoutes(app: HttpRouter, { controlPlane: cp, shutdown }: HttpDeps): void {
  app.openapi(healthz, (c) => c.json({ status: "ok" as const }, 200));

  app.openapi(readyz, async (c) => {
    if (shutdown.aborted) return errorResponse("closed", "the server is shutting down") as never;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), READY_TIMEOUT_MS);
    });
    // One small indexed read (the engaged kill switches), not `health()`'s counts over every session. Its
    // failure is a value, so that a late rejection after the timeout is never unhandled; the cause may name
    // hosts or credentials and is not sent to an unauthenticated caller.
    const read = cp.listKillSwitches({ engagedOnly: true }).then(
      () => "ok" as const,
      () => "failed" as const,
    );
    const r = await Promise.race([read, timeout]).finally(() => clearTimeout(timer));
    if (r === "timeout") {
      return errorResponse(
        "storage_failure",
        `storage did not answer within ${READY_TIMEOUT_MS} ms`,
      ) as never;
    }
    if (r === "failed") return errorResponse("storage_failure", "storage unreachable") as never;
    return c.json({ status: "ready" as const }, 200);
  });
}
