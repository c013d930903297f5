import { OpenAPIHono } from "@hono/zod-openapi";
import type { Authenticator } from "../auth/authenticator.js";
import type { ControlPlane } from "../control-plane/control-plane.js";
import { authenticate } from "./authorize.js";
import type { HttpDeps, HttpEnv } from "./context.js";
import { errorResponse, toErrorResponse, validationHook } from "./errors.js";
import { openApiDocument } from "./openapi.js";
import { registerRoutes } from "./routes/index.js";
import { catchAnyThrown } from "./uncaught-throw.js";

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  readonly controlPlane: ControlPlane;
  readonly auth: Authenticator;
  /** Clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Called with every unexpected error (answered as 500 without its message). */
  readonly onFault?: (error: unknown) => void;
}

/** The served API: a fetch handler and its OpenAPI document. */
export interface HttpApp {
  /** Answers one request (standard `Request` → `Response`): mount it on any server or call it in tests. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** The OpenAPI 3.1 document of every route, as served at `GET /openapi.json`. */
  readonly openapi: () => Record<string, unknown>;
}

/**
 * Creates the HTTP API of a control plane: the v1 contract, the write paths for agent runtimes, `/healthz`,
 * `/readyz` and `/openapi.json`. Every `/v1` route requires a bearer token; errors use the envelope
 * `{ error, details }`.
 *
 * @example
 * ```ts
 * import { serve } from "@hono/node-server";
 * const app = createHttpApp({ controlPlane, auth: createStaticAuth([{ token, role: "operator" }]) });
 * serve({ fetch: app.fetch, port: 7400, hostname: "127.0.0.1" });
 * ```
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const deps: HttpDeps = {
    controlPlane: options.controlPlane,
    auth: options.auth,
    now: options.now ?? Date.now,
  };
  const app = new OpenAPIHono<HttpEnv>({ defaultHook: validationHook });
  app.use("*", catchAnyThrown(options.onFault));
  app.onError((error) => toErrorResponse(error, options.onFault));
  app.notFound((c) =>
    errorResponse("not_found", `no route ${c.req.method} ${c.req.path}`, { path: c.req.path }),
  );
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer" });
  app.use("/v1/*", authenticate(deps.auth));
  registerRoutes(app, deps);
  const document = () => openApiDocument(app);
  app.get("/openapi.json", (c) => c.json(document()));
  return { fetch: async (request) => app.fetch(request), openapi: document };
}
