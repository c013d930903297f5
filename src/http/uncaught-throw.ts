import type { MiddlewareHandler } from "hono";
import { toErrorResponse } from "./errors.js";

/**
 * Outermost middleware: Hono hands only `Error` instances to `onError`, so anything else thrown below it (a
 * string, a plain object from a library) would escape as a bare 500 without the envelope. This answers it as
 * {@link toErrorResponse} does, reporting it to `onFault`.
 */
export function catchAnyThrown(onFault?: (error: unknown) => void): MiddlewareHandler {
  return async (c, next) => {
    try {
      await next();
    } catch (error) {
      c.res = toErrorResponse(error, onFault);
    }
  };
}
