import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Authenticator } from "../auth/authenticator.js";
import type { Principal } from "../auth/roles.js";
import type { TokenService } from "../auth/token-service.js";
import type { ControlPlane } from "../control-plane/control-plane.js";

/** What every route handler can reach: the facade, the authenticator, the token service and the clock. */
export interface HttpDeps {
  readonly controlPlane: ControlPlane;
  readonly auth: Authenticator;
  /** Milliseconds since the epoch; injected so tests can fake time. */
  readonly now: () => number;
  /** The stored API tokens (absent: the `/v1/tokens` routes answer 501). */
  readonly tokens?: TokenService;
  /**
   * Aborted when the app is closing (`HttpApp.close()`): long-lived answers (SSE streams, ticket long polls)
   * end on it so that a graceful shutdown does not wait for them.
   */
  readonly shutdown: AbortSignal;
  /** Timing of `GET /v1/events/stream`. */
  readonly sse: SseSettings;
  /** Called with every unexpected error (answered as 500 without its message). */
  readonly onFault?: (error: unknown) => void;
}

/** Timing of the Server-Sent Events stream. */
export interface SseSettings {
  /**
   * How often the stream reads the feed when no commit of this process woke it (default 250 ms): the delay
   * before events committed by OTHER processes sharing the database appear.
   */
  readonly pollIntervalMs: number;
  /** How often an idle stream sends a comment line to keep proxies from closing it (default 15 000 ms). */
  readonly keepAliveMs: number;
}

/** Hono environment of the app: the authenticated principal is set by the auth middleware. */
export interface HttpEnv {
  Variables: {
    principal: Principal;
  };
}

/** The Hono app the routes register on. */
export type HttpRouter = OpenAPIHono<HttpEnv>;
