import type { OpenAPIHono } from "@hono/zod-openapi";
import type { HttpEnv } from "./context.js";

/** Generates the OpenAPI 3.1 document of `app` from the zod schemas its routes validate with. */
export function openApiDocument(app: OpenAPIHono<HttpEnv>): Record<string, unknown> {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Agent Control Plane API",
      version: "1.0.0",
      description:
        "The v1 contract of the original control plane plus the write paths for agent runtimes. Every /v1 " +
        "route needs `Authorization: Bearer <token>`; errors use the envelope { error, details }.",
    },
    security: [{ bearerAuth: [] }],
  }) as unknown as Record<string, unknown>;
}
