import { z } from "@hono/zod-openapi";

/** The error envelope of the v1 contract (`ErrorResponse`). */
export const ErrorResponseSchema = z
  .object({
    error: z.string(),
    details: z.union([z.record(z.string(), z.unknown()), z.null()]).optional(),
  })
  .openapi("ErrorResponse");

const DESCRIPTIONS = {
  400: "Malformed request (for example a body that is not JSON)",
  401: "Authentication failed or missing",
  403: "The principal's role or agent binding does not allow this",
  404: "Resource not found",
  409: "Resource state conflict",
  413: "Request body too large",
  422: "Validation failure: details.issues names each bad field",
  429: "Rate limit of the token exceeded (Retry-After says when to retry)",
  501: "Not implemented yet",
  503: "Storage unreachable or the server is shutting down",
} as const;

/** Response entries in the envelope for the given statuses, plus `default`, for `createRoute({ responses })`. */
export function errorResponses<S extends keyof typeof DESCRIPTIONS>(...statuses: S[]) {
  const content = { "application/json": { schema: ErrorResponseSchema } };
  const out: Record<string, { description: string; content: typeof content }> = {};
  for (const s of statuses) out[s] = { description: DESCRIPTIONS[s], content };
  out.default = { description: "Error response", content };
  return out as { [K in S | "default"]: { description: string; content: typeof content } };
}

/** The security requirement of every authenticated route. */
export const BEARER = [{ bearerAuth: [] }];

/** A UUID in a path or query parameter. */
export const uuid = () => z.string().uuid();

/** `limit` query parameter of the contract: 1..1000, default 50. */
export const LimitQuery = z.coerce.number().int().min(1).max(1000).default(50).openapi({ type: "integer" });
/** `offset` query parameter of the contract: ≥ 0, default 0. */
export const OffsetQuery = z.coerce.number().int().min(0).default(0).openapi({ type: "integer" });

/** `X-Idempotency-Key` header of the contract: 1..128 characters. */
export const IdempotencyHeaders = z.object({
  "x-idempotency-key": z
    .string()
    .min(1)
    .max(128)
    .optional()
    .openapi({
      // HTTP header names are case-insensitive; Hono hands them to the validator lower-cased.
      param: { name: "x-idempotency-key", in: "header" },
      description:
        "X-Idempotency-Key: a repeated key replays the first result; reused with another request: 409",
    }),
});

/** Epoch milliseconds → RFC 3339 timestamp; `null` stays `null`. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** A comma-separated list query parameter (`statuses=a,b`) of enum values. */
export function csvEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s === "") return undefined;
      const items = s.split(",").map((v) => v.trim());
      const bad = items.filter((v) => !(values as readonly string[]).includes(v));
      if (bad.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `unknown value(s) ${bad.join(", ")}; expected ${values.join("|")}`,
        });
        return z.NEVER;
      }
      return items as T[number][];
    })
    .openapi({
      type: "array",
      items: { type: "string", enum: [...values] },
      param: { style: "form", explode: false },
    } as never);
}
