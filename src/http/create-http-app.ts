import { OpenAPIHono } from "@hono/zod-openapi";
import type { Authenticator } from "../auth/authenticator.js";
import type { TokenService } from "../auth/token-service.js";
import type { ControlPlane } from "../control-plane/control-plane.js";
import type { DashboardOptions } from "../dashboard/dashboard-options.js";
import { registerDashboard } from "../dashboard/register-dashboard.js";
import { assertKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError } from "../errors/validation-error.js";
import type { TelemetryRecorder } from "../telemetry/telemetry-recorder.js";
import { accessLog, type RequestLogLine } from "./access-log.js";
import { authenticate } from "./authorize.js";
import { bodyLimit, DEFAULT_MAX_BODY_BYTES } from "./body-limit.js";
import type { HttpDeps, HttpEnv, SseSettings } from "./context.js";
import { errorResponse, toErrorResponse, validationHook } from "./errors.js";
import { type McpHttpMount, registerMcpRoutes } from "./mcp-route.js";
import { openApiDocument } from "./openapi.js";
import { rateLimit } from "./rate-limit.js";
import { registerRoutes } from "./routes/index.js";
import { createPrometheusMetrics, registerMetricsRoute } from "./routes/metrics.js";
import { catchAnyThrown } from "./uncaught-throw.js";

/** Request limits of {@link createHttpApp}. */
export interface HttpLimits {
  /** Largest request body in bytes; larger answers 413 (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /**
   * Requests per minute per principal (token bucket, bursts up to this many); over it answers 429 with
   * `Retry-After`. Default: no limit (`acp serve` sets 600); the buckets are this process's own.
   */
  readonly ratePerMinute?: number;
}

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  readonly controlPlane: ControlPlane;
  readonly auth: Authenticator;
  /** Clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
  /** Called with every unexpected error (answered as 500 without its message). */
  readonly onFault?: (error: unknown) => void;
  /**
   * Token management served at `/v1/tokens` (admin: `tokens.manage`), usually `createTokenService({ storage })`
   * next to `auth: createTokenAuth({ storage })`. Absent ⇒ those routes answer 501 in the envelope.
   */
  readonly tokens?: TokenService;
  /** Body size and rate limits (defaults: 1 MiB bodies, no rate limit). */
  readonly limits?: HttpLimits;
  /** Called once per answered request (method, path, status, duration, principal, request id). */
  readonly log?: (line: RequestLogLine) => void;
  /** Timing of `GET /v1/events/stream` (defaults: poll the feed every 250 ms, keep-alive every 15 s). */
  readonly sse?: Partial<SseSettings>;
  /**
   * Serves the operator dashboard at `/` (sign-in with a token, then a session cookie): `true` or its options.
   * Default `false` (the API only); `acp serve` turns it on.
   */
  readonly dashboard?: boolean | DashboardOptions;
  /**
   * The governed MCP proxy at `/mcp` (agent tokens) and its held-tool review at `/v1/mcp/tools`
   * (`createMcpHttpEndpoint` from `agent-control-plane/mcp`). Absent: no `/mcp`; `/v1/mcp/tools` answers 501.
   */
  readonly mcp?: McpHttpMount;
  /**
   * Serves `GET /metrics` (Prometheus text format; a token that may `read`) with the decisions and completions
   * of this recorder (the one given to `createControlPlane({ telemetry: { recorder } })`) and the gauges of
   * `controlPlane.health()`. Absent: no `/metrics`.
   */
  readonly metrics?: TelemetryRecorder;
}

const HTTP_APP_OPTION_KEYS: readonly string[] = [
  "controlPlane",
  "auth",
  "now",
  "onFault",
  "tokens",
  "limits",
  "log",
  "sse",
  "dashboard",
  "mcp",
  "metrics",
];

/** Resolves and checks the SSE timing (positive integers of milliseconds, at most one hour). */
function sseSettings(given: Partial<SseSettings> | undefined): SseSettings {
  const settings = { pollIntervalMs: 250, keepAliveMs: 15_000, ...given };
  const issues = (["pollIntervalMs", "keepAliveMs"] as const)
    .filter((k) => !Number.isInteger(settings[k]) || settings[k] < 1 || settings[k] > 3_600_000)
    .map((k) => ({ path: `sse.${k}`, message: "expected an integer of milliseconds in 1..3600000" }));
  if (issues.length > 0) throw new ValidationError(issues, "createHttpApp options");
  return settings;
}

/** The served API: a fetch handler and its OpenAPI document. */
export interface HttpApp {
  /**
   * Answers one request (standard `Request` → `Response`): mount it on any server or call it in tests. A
   * server adapter's bindings (`env`, such as `@hono/node-server`'s Node request) are passed on to Hono.
   */
  readonly fetch: (request: Request, env?: unknown) => Promise<Response>;
  /** The OpenAPI 3.1 document of every route, as served at `GET /openapi.json`. */
  readonly openapi: () => Record<string, unknown>;
  /**
   * Ends every long-lived answer: open SSE streams finish and pending ticket long polls answer with the
   * ticket's current state (`timed_out: true` if still pending). Call it when the server starts shutting
   * down, before waiting for in-flight requests. Idempotent; ordinary requests are unaffected.
   */
  readonly close: () => void;
}

/**
 * Creates the HTTP API of a control plane: the v1 contract, the write paths for agent runtimes, `/healthz`,
 * `/readyz` and `/openapi.json`, and (option `dashboard`) the operator dashboard at `/`. Every `/v1` route requires a bearer token; errors use the envelope
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
  // A misspelt option (say `limit` for `limits`) would silently drop a limit: an error instead.
  assertKnownKeys(options, HTTP_APP_OPTION_KEYS, "", "createHttpApp options");
  assertKnownKeys(options.limits, ["maxBodyBytes", "ratePerMinute"], "limits.", "createHttpApp options");
  assertKnownKeys(options.sse, ["pollIntervalMs", "keepAliveMs"], "sse.", "createHttpApp options");
  const closing = new AbortController();
  const deps: HttpDeps = {
    controlPlane: options.controlPlane,
    auth: options.auth,
    now: options.now ?? Date.now,
    ...(options.tokens !== undefined ? { tokens: options.tokens } : {}),
    shutdown: closing.signal,
    sse: sseSettings(options.sse),
    ...(options.onFault !== undefined ? { onFault: options.onFault } : {}),
  };
  const app = new OpenAPIHono<HttpEnv>({ defaultHook: validationHook });
  app.use("*", catchAnyThrown(options.onFault));
  app.onError((error) => toErrorResponse(error, options.onFault));
  app.notFound((c) =>
    errorResponse("not_found", `no route ${c.req.method} ${c.req.path}`, { path: c.req.path }),
  );
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", { type: "http", scheme: "bearer" });
  const maxBodyBytes = positiveLimit(options.limits?.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, "maxBodyBytes");
  const ratePerMinute =
    options.limits?.ratePerMinute === undefined
      ? undefined
      : positiveLimit(options.limits.ratePerMinute, 0, "ratePerMinute");
  app.use("*", accessLog(options.log));
  app.use("/v1/*", authenticate(deps.auth));
  if (ratePerMinute !== undefined) app.use("/v1/*", rateLimit(ratePerMinute, deps.now));
  app.use("*", bodyLimit(maxBodyBytes));
  registerRoutes(app, deps);
  registerMcpRoutes(app, deps.auth, options.mcp);
  if (options.metrics !== undefined) {
    registerMetricsRoute(app, deps, createPrometheusMetrics(options.controlPlane, options.metrics));
  }
  // The routes are fixed once registered: generate the document on first use, then serve the same text
  // (each `openapi()` caller gets its own copy).
  let documentText: string | undefined;
  const text = () => {
    documentText ??= JSON.stringify(openApiDocument(app));
    return documentText;
  };
  const document = () => JSON.parse(text()) as Record<string, unknown>;
  app.get("/openapi.json", (c) => c.body(text(), 200, { "content-type": "application/json; charset=utf-8" }));
  // Last: the dashboard answers the paths no API route did.
  if (options.dashboard !== undefined && options.dashboard !== false) {
    registerDashboard(app, deps, options.dashboard === true ? {} : options.dashboard);
  }
  return {
    fetch: async (request, env) => app.fetch(request, env as never),
    openapi: document,
    close: () => closing.abort(new Error("the HTTP app is closing")),
  };
}

/** A limit given as a positive integer, else its default. @throws ValidationError naming `limits.<name>`. */
function positiveLimit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ValidationError(
      [{ path: `limits.${name}`, message: "expected a positive integer", received: value }],
      "HTTP app options",
    );
  }
  return value;
}
