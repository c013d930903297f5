import { createRoute, z } from "@hono/zod-openapi";
import type { HeldToolReview, ToolPin } from "../../mcp/types.js";
import { authorize } from "../authorize.js";
import type { HttpRouter } from "../context.js";
import { definitionChanges } from "../definition-changes.js";
import { httpError } from "../errors.js";
import { BEARER, errorResponses, iso } from "../schemas/common.js";

const json = <T>(schema: T) => ({ "application/json": { schema } });
const Name = z.string().min(1).max(500);
const Fingerprint = z
  .string()
  .regex(/^[0-9a-f]{64}$/, { error: "expected a SHA-256 fingerprint (64 lower-case hex digits)" });

const HeldToolSchema = z
  .object({
    server: z.string().openapi({ description: "Upstream server name (the config's mcpServers key)" }),
    tool: z.string().openapi({ description: "The tool's name at its upstream server" }),
    fingerprint: z.string().openapi({ description: "SHA-256 of the accepted (pinned) definition" }),
    pending_fingerprint: z
      .string()
      .openapi({ description: "SHA-256 of the changed definition: accept this" }),
    definition: z.unknown().openapi({ description: "The accepted definition (null when not stored)" }),
    pending_definition: z.unknown().openapi({ description: "The changed definition waiting for review" }),
    changes: z
      .array(z.object({ path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() }))
      .openapi({ description: "JSON paths that differ (absent before/after: key added/removed)" }),
    first_seen_at: z.string().datetime(),
    updated_at: z.string().datetime(),
    accepted_by: z.string().nullable(),
  })
  .openapi("HeldMcpTool");

const AcceptBody = z
  .object({ server: Name, tool: Name, fingerprint: Fingerprint })
  .strict()
  .openapi("AcceptMcpToolRequest");

const PinSchema = HeldToolSchema.pick({
  server: true,
  tool: true,
  fingerprint: true,
  first_seen_at: true,
  updated_at: true,
  accepted_by: true,
}).openapi("McpToolPin");

const listHeld = createRoute({
  method: "get",
  path: "/v1/mcp/tools",
  operationId: "listHeldMcpTools",
  tags: ["MCP"],
  summary: "List MCP tools held because their upstream definition changed, with old and new definitions",
  security: BEARER,
  responses: {
    200: { description: "Held tools", content: json(z.object({ items: z.array(HeldToolSchema) })) },
    ...errorResponses(401, 403, 501),
  },
});

const accept = createRoute({
  method: "post",
  path: "/v1/mcp/tools/accept",
  operationId: "acceptMcpTool",
  tags: ["MCP"],
  summary: "Accept the pending definition (by fingerprint) of a held MCP tool: it becomes usable again",
  security: BEARER,
  request: { body: { required: true, content: json(AcceptBody) } },
  responses: {
    200: { description: "Accepted: the tool's new pin", content: json(PinSchema) },
    ...errorResponses(401, 403, 404, 409, 422, 501),
  },
});

function toHeldJson(p: ToolPin): z.infer<typeof HeldToolSchema> {
  const before = p.definition ?? null;
  return {
    server: p.server,
    tool: p.tool,
    fingerprint: p.fingerprint,
    pending_fingerprint: p.pendingFingerprint ?? "",
    definition: before,
    pending_definition: p.pendingDefinition,
    changes: before === null ? [] : definitionChanges(before, p.pendingDefinition),
    first_seen_at: iso(p.firstSeenAt),
    updated_at: iso(p.updatedAt),
    accepted_by: p.acceptedBy,
  };
}

function review(given: HeldToolReview | undefined): HeldToolReview {
  if (given !== undefined) return given;
  throw httpError("not_implemented", "this server runs no MCP proxy (start it with --mcp-config)", {
    feature: "mcp",
  });
}

/**
 * The operator's review of held MCP tools ("rug pull" hold): list them (`read`) with both definitions and the
 * changed paths, and accept one pending fingerprint (`mcp.tools.accept`, operators and admins). Without a
 * review port (no MCP proxy on this server) both answer 501.
 */
export function registerMcpToolRoutes(app: HttpRouter, heldTools: HeldToolReview | undefined): void {
  app.openapi(listHeld, async (c) => {
    authorize(c, "read");
    const pins = await review(heldTools).listHeld();
    return c.json({ items: pins.map(toHeldJson) }, 200);
  });
  app.openapi(accept, async (c) => {
    const principal = authorize(c, "mcp.tools.accept");
    const body = c.req.valid("json");
    const result = await review(heldTools).accept({ ...body, acceptedBy: principal.name });
    if (result === "not_found") {
      throw httpError("not_found", `no pinned tool ${body.tool} of server ${body.server}`, {
        server: body.server,
        tool: body.tool,
      });
    }
    if (result === "stale") {
      throw httpError(
        "conflict",
        "that fingerprint is not the pending definition: list the held tools again",
        {
          server: body.server,
          tool: body.tool,
          fingerprint: body.fingerprint,
        },
      );
    }
    const { server, tool, fingerprint, first_seen_at, updated_at, accepted_by } = toHeldJson(result);
    return c.json({ server, tool, fingerprint, first_seen_at, updated_at, accepted_by }, 200);
  });
}
