/** Stable error codes. Each maps to one HTTP status in {@link HTTP_STATUS_BY_CODE}. */
export const ERROR_CODES = [
  "validation_failed",
  "policy_invalid",
  "not_found",
  "invalid_transition",
  "already_decided",
  "self_approval",
  "idempotency_conflict",
  "conflict",
  "storage_failure",
  "timeout",
  "aborted",
  "closed",
  "internal",
  "unauthorized",
  "forbidden",
  "rate_limited",
  "payload_too_large",
  "not_implemented",
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status for each error code (used by the HTTP shell). */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  validation_failed: 422,
  policy_invalid: 422,
  not_found: 404,
  invalid_transition: 409,
  already_decided: 409,
  self_approval: 403,
  idempotency_conflict: 409,
  conflict: 409,
  storage_failure: 503,
  timeout: 504,
  aborted: 499,
  closed: 503,
  internal: 500,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  payload_too_large: 413,
  not_implemented: 501,
};

/**
 * The one error base class of the project. Exceptions are for misuse and faults; a denial is never an
 * exception (it is a decision value).
 */
export class ControlPlaneError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Readonly<Record<string, unknown>> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ControlPlaneError";
    this.code = code;
    this.details = options?.details;
  }
}

/** Thrown when an entity (session, proposal, ticket, agent) does not exist. */
export class NotFoundError extends ControlPlaneError {
  constructor(entity: string, id: string) {
    super("not_found", `${entity} ${JSON.stringify(id)} not found`, { details: { entity, id } });
    this.name = "NotFoundError";
  }
}

/** Thrown when a state machine refuses a transition; names both states. */
export class InvalidTransitionError extends ControlPlaneError {
  constructor(entity: string, id: string, from: string, to: string) {
    super("invalid_transition", `cannot move ${entity} ${JSON.stringify(id)} from "${from}" to "${to}"`, {
      details: { entity, id, from, to },
    });
    this.name = "InvalidTransitionError";
  }
}

/** Thrown when a storage operation fails; the decision fails closed. The driver error is the `cause`. */
export class StorageError extends ControlPlaneError {
  constructor(message: string, cause?: unknown) {
    super("storage_failure", message, { cause });
    this.name = "StorageError";
  }
}
