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
  /** Token management behind `/v1/tokens`; absent ⇒ those routes answer 501. */
  readonly tokens?: TokenService;
}

/** Hono environment of the app: the authenticated principal is set by the auth middleware. */
export interface HttpEnv {
  Variables: {
    principal: Principal;
  };
}

/** The Hono app the routes register on. */
export type HttpRouter = OpenAPIHono<HttpEnv>;
