import { z } from "@hono/zod-openapi";
import { ROLES } from "../../auth/roles.js";
import { type ApiTokenRecord, tokenStatus } from "../../auth/token-service.js";
import { iso } from "./common.js";

/** An API token as the HTTP API shows it (never the token itself, never its hash). */
export const ApiTokenSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    role: z.enum(ROLES),
    agent_id: z.string().nullable().openapi({ description: "The agent an agent token acts as" }),
    status: z.enum(["active", "expired", "revoked"]),
    created_at: z.string().openapi({ format: "date-time" }),
    expires_at: z.string().nullable().openapi({ format: "date-time" }),
    revoked_at: z.string().nullable().openapi({ format: "date-time" }),
    created_by: z.string().nullable().openapi({ description: "Principal that created it" }),
  })
  .openapi("ApiToken");

/** A token just created: the token itself is in `token`, shown this once. */
export const CreatedApiTokenSchema = ApiTokenSchema.extend({
  token: z.string().openapi({ description: "The bearer token. Shown once: it is stored only as a hash." }),
}).openapi("CreatedApiToken");

/** Maps a token record onto {@link ApiTokenSchema} (its status judged at `now`). */
export function toApiToken(record: ApiTokenRecord, now: number): z.infer<typeof ApiTokenSchema> {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    agent_id: record.agentId,
    status: tokenStatus(record, now),
    created_at: iso(record.createdAt),
    expires_at: iso(record.expiresAt),
    revoked_at: iso(record.revokedAt),
    created_by: record.createdBy,
  };
}
