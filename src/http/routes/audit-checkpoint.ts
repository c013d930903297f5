import { createRoute, z } from "@hono/zod-openapi";
import { authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { httpError } from "../errors.js";
import { BEARER, errorResponses, iso } from "../schemas/common.js";

/** The newest signed checkpoint of the audit log, as `GET /v1/audit/checkpoint` answers it. */
const CheckpointSchema = z
  .object({
    origin: z.string().openapi({ description: "The log's name (first line of the note)" }),
    tree_size: z
      .number()
      .int()
      .openapi({ description: "Feed events covered: the first tree_size in feed order" }),
    root_hash: z.string().openapi({ description: "RFC 9162 Merkle root (SHA-256), base64" }),
    last_event_id: z.number().int().openapi({ description: "Feed id of the last covered event" }),
    checkpoint: z.string().openapi({
      description:
        "The C2SP signed note (origin, size, root, blank line, Ed25519 signature lines): keep it apart from the " +
        "server and pass it to `acp audit verify --trusted-checkpoint` later",
    }),
    created_at: z.string().openapi({ description: "When it was sealed (ISO 8601)" }),
  })
  .openapi("AuditCheckpoint");

const latest = createRoute({
  method: "get",
  path: "/v1/audit/checkpoint",
  operationId: "getAuditCheckpoint",
  tags: ["Audit"],
  summary: "The newest signed Merkle checkpoint of the audit log (viewer and above)",
  security: BEARER,
  responses: {
    200: {
      description: "The newest checkpoint",
      content: { "application/json": { schema: CheckpointSchema } },
    },
    ...errorResponses(401, 403, 404),
  },
});

/** `GET /v1/audit/checkpoint`: the newest sealed checkpoint; 404 before the first one (or without audit keys). */
export function registerAuditCheckpointRoutes(app: HttpRouter, { controlPlane }: HttpDeps): void {
  app.openapi(latest, async (c) => {
    authorize(c, "read");
    const cp = await controlPlane.latestCheckpoint();
    if (cp === undefined) {
      throw httpError(
        "not_found",
        "no audit checkpoint has been sealed yet (configure audit.signing_key_file; the maintenance loop seals one when the log grows)",
      );
    }
    return c.json(
      {
        origin: cp.origin,
        tree_size: cp.size,
        root_hash: cp.rootHash,
        last_event_id: cp.lastEventId,
        checkpoint: cp.note,
        created_at: iso(cp.createdAt),
      },
      200,
    );
  });
}
