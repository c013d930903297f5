import { createRoute, z } from "@hono/zod-openapi";
import type { AuditReport } from "../../engines/audit/audit-problem.js";
import { AUDIT_PROBLEM_KINDS } from "../../engines/audit/audit-problem.js";
import { authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { BEARER, errorResponses, uuid } from "../schemas/common.js";

/** One finding of `GET /v1/audit/verify`. */
const AuditProblemSchema = z
  .object({
    kind: z.enum(AUDIT_PROBLEM_KINDS),
    session_id: z
      .string()
      .nullable()
      .openapi({ description: "The session concerned; null for the global log" }),
    seq: z.number().int().nullable().openapi({ description: "The first sequence number concerned, if any" }),
    detail: z.string(),
  })
  .openapi("AuditProblem");

/** The answer of `GET /v1/audit/verify`: `ok` exactly when `problems` is empty. */
const AuditReportSchema = z
  .object({
    ok: z.boolean(),
    checked_events: z.number().int(),
    problems: z.array(AuditProblemSchema),
  })
  .openapi("AuditReport");

const verify = createRoute({
  method: "get",
  path: "/v1/audit/verify",
  operationId: "verifyAudit",
  tags: ["Audit"],
  summary:
    "Verify the stored audit log: hash chains, and with audit keys the signed checkpoints (viewer and above; reads the whole log)",
  security: BEARER,
  request: { query: z.object({ session_id: uuid().optional() }) },
  responses: {
    200: {
      description: "The report (200 whether or not problems were found)",
      content: { "application/json": { schema: AuditReportSchema } },
    },
    ...errorResponses(401, 403, 404, 422),
  },
});

/** Maps the facade's report to {@link AuditReportSchema}. */
function toReportJson(r: AuditReport): z.infer<typeof AuditReportSchema> {
  return {
    ok: r.ok,
    checked_events: r.checkedEvents,
    problems: r.problems.map((p) => ({
      kind: p.kind,
      session_id: p.sessionId ?? null,
      seq: p.seq ?? null,
      detail: p.detail,
    })),
  };
}

/**
 * `GET /v1/audit/verify[?session_id=]` → `cp.verifyAudit`: needs `read` (viewer and up; an agent token may not,
 * as the report covers every session). Without `session_id` it reads the whole log: slow on a big one.
 */
export function registerAuditVerifyRoutes(app: HttpRouter, { controlPlane }: HttpDeps): void {
  app.openapi(verify, async (c) => {
    authorize(c, "read");
    const q = c.req.valid("query");
    const report = await controlPlane.verifyAudit(
      q.session_id === undefined ? {} : { sessionId: q.session_id },
    );
    return c.json(toReportJson(report), 200);
  });
}
