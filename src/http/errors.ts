import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { ControlPlaneError, type ErrorCode, HTTP_STATUS_BY_CODE } from "../errors/control-plane-error.js";
import { ValidationError } from "../errors/validation-error.js";

/**
 * The error envelope of every 4xx/5xx answer, as in the v1 contract: `error` is a readable message,
 * `details.code` the stable machine code ({@link ERROR_CODES}) and the rest of `details` what the error carries
 * (for a validation failure: `issues`, each with the `path` of the bad field and what was expected).
 */
export interface ErrorEnvelope {
  readonly error: string;
  readonly details: { readonly code: ErrorCode; readonly [key: string]: unknown };
}

/** Builds the envelope response for `code`, with the status {@link HTTP_STATUS_BY_CODE} gives it. */
export function errorResponse(
  code: ErrorCode,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
  headers: Record<string, string> = {},
): Response {
  const body: ErrorEnvelope = { error: message, details: { ...details, code } };
  return new Response(JSON.stringify(body), {
    status: HTTP_STATUS_BY_CODE[code],
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** An error thrown by a handler that answers with `code` (403, 404, …) and the envelope. */
export function httpError(code: ErrorCode, message: string, details?: Readonly<Record<string, unknown>>) {
  return new ControlPlaneError(code, message, details === undefined ? undefined : { details });
}

/**
 * Maps anything a handler threw to the envelope: a {@link ControlPlaneError} by its code; Hono's own
 * exceptions (malformed JSON: 400) by their status; anything else is a fault of ours (500, message hidden).
 */
export function toErrorResponse(error: unknown, onFault?: (error: unknown) => void): Response {
  if (error instanceof ControlPlaneError) {
    const details = { ...(error.details ?? {}) };
    if (error instanceof ValidationError) details.issues = error.issues;
    return errorResponse(error.code, error.message, details);
  }
  if (error instanceof HTTPException) {
    const status = error.status;
    const code: ErrorCode =
      status === 401 ? "unauthorized" : status === 413 ? "payload_too_large" : "validation_failed";
    const message = status === 400 ? `bad request: ${error.message}` : error.message;
    const res = errorResponse(code, message);
    return status === 400 ? new Response(res.body, { status: 400, headers: res.headers }) : res;
  }
  onFault?.(error);
  return errorResponse("internal", "internal error (logged on the server)");
}

/** Converts a zod failure on request `target` (`param`, `query`, `header`, `json`) into a ValidationError. */
export function zodToValidationError(error: ZodError, target: string): ValidationError {
  const prefix = target === "json" ? "body" : target;
  return new ValidationError(
    error.issues.map((i) => ({
      path: [prefix, ...i.path.map(String)].join("."),
      message: i.message,
    })),
    `request ${prefix}`,
  );
}

/** Hook for `OpenAPIHono`: a request that fails its schema answers 422 in the envelope naming each field. */
export function validationHook(
  result: { success: true } | { success: false; error: ZodError; target: string },
  _c: Context,
): Response | undefined {
  if (result.success) return undefined;
  return toErrorResponse(zodToValidationError(result.error, result.target));
}
