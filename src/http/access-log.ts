import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { Role } from "../auth/roles.js";
import type { HttpEnv } from "./context.js";

/** What the app reports about each answered request (never a token or an `Authorization` header). */
export interface RequestLogLine {
  /** When the request arrived (epoch ms). */
  readonly at: number;
  readonly method: string;
  /** The path without the query string (query values may carry ids but never credentials). */
  readonly path: string;
  readonly status: number;
  /** Time to produce the response (for a stream: until its headers), in milliseconds. */
  readonly durationMs: number;
  /** The request id: a sane `X-Request-Id` from the caller, else a new one; echoed in the response. */
  readonly requestId: string;
  /** The authenticated principal, when authentication succeeded. */
  readonly principal: { readonly name: string; readonly role: Role } | null;
}

const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Gives every request an id (`X-Request-Id` in and out) and calls `log` once per answered request with its
 * method, path, status, duration and principal. A throwing `log` never affects the response.
 */
export function accessLog(log: ((line: RequestLogLine) => void) | undefined): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const started = performance.now();
    const at = Date.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    await next();
    try {
      c.res.headers.set("x-request-id", requestId);
    } catch {
      // A response with immutable headers (a proxied fetch answer) goes out without the id.
    }
    if (log === undefined) return;
    const principal = c.get("principal");
    try {
      log({
        at,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        requestId,
        principal: principal === undefined ? null : { name: principal.name, role: principal.role },
      });
    } catch {
      // Logging must never change an answer.
    }
  };
}
