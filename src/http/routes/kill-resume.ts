import { createRoute, z } from "@hono/zod-openapi";
import type { KillTarget } from "../../engines/kill-switch/kill-switch.js";
import { KILL_SCOPES } from "../../types/kill-switch.js";
import { actorOf, authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { BEARER, errorResponses, IdempotencyHeaders, iso, uuid } from "../schemas/common.js";
import { KillRequestSchema, KillResultSchema, toKillResult } from "../schemas/kill-result.js";

const json = <T>(schema: T) => ({ "application/json": { schema } });
const AgentParam = z.object({ agent_id: z.string().min(1).max(200) });

/** Default reason of an agent kill when the body gives none (as the contract's session kill). */
export const DEFAULT_AGENT_KILL_REASON = "Kill switch triggered";

const killAgent = createRoute({
  method: "post",
  path: "/v1/kill/agent/{agent_id}",
  operationId: "killAgent",
  tags: ["Safety"],
  summary: "Engage an agent's kill switch: pause its sessions, deny its pending tickets and later proposals",
  security: BEARER,
  request: {
    params: AgentParam,
    headers: IdempotencyHeaders,
    body: { required: false, content: json(KillRequestSchema) },
  },
  responses: {
    200: { description: "Kill result returned", content: json(KillResultSchema) },
    ...errorResponses(401, 403, 422),
  },
});

const ResumeResult = z
  .object({ released: z.boolean().openapi({ description: "False when the switch was not engaged" }) })
  .openapi("ResumeResult");

/** Resume requests carry no fields: an empty object or no body (any key is a 422). */
const noBody = {
  required: false,
  content: json(z.object({}).strict().openapi("EmptyRequest")),
};

const resumed = {
  200: { description: "Whether a switch was released", content: json(ResumeResult) },
  ...errorResponses(401, 403, 422),
};

const resumeSystem = createRoute({
  method: "post",
  path: "/v1/resume/system",
  operationId: "resumeSystem",
  tags: ["Safety"],
  summary: "Release the global kill switch (aborted sessions stay aborted)",
  security: BEARER,
  request: { headers: IdempotencyHeaders, body: noBody },
  responses: resumed,
});

const resumeAgent = createRoute({
  method: "post",
  path: "/v1/resume/agent/{agent_id}",
  operationId: "resumeAgent",
  tags: ["Safety"],
  summary: "Release an agent's kill switch (its paused sessions stay paused until resumed)",
  security: BEARER,
  request: { params: AgentParam, headers: IdempotencyHeaders, body: noBody },
  responses: resumed,
});

const resumeSession = createRoute({
  method: "post",
  path: "/v1/resume/session/{session_id}",
  operationId: "resumeSessionKill",
  tags: ["Safety"],
  summary: "Release a session's kill switch (an aborted session stays aborted)",
  security: BEARER,
  request: { params: z.object({ session_id: uuid() }), headers: IdempotencyHeaders, body: noBody },
  responses: resumed,
});

const KillSwitchSchema = z
  .object({
    scope: z.enum(KILL_SCOPES),
    target: z.string().openapi({ description: '"" for global, else the agent or session id' }),
    engaged: z.boolean(),
    reason: z.string(),
    engaged_by: z
      .string()
      .nullable()
      .openapi({ description: "Who engaged it (the operator's token name); null when not recorded" }),
    engaged_at: z.string().datetime(),
    released_at: z.string().datetime().nullable(),
  })
  .openapi("KillSwitch");

const listKillSwitches = createRoute({
  method: "get",
  path: "/v1/kill-switches",
  operationId: "listKillSwitches",
  tags: ["Safety"],
  summary: "List kill switches (only the engaged ones with engaged_only=true)",
  security: BEARER,
  request: {
    query: z.object({
      engaged_only: z
        .enum(["true", "false"])
        .optional()
        .transform((v) => v === "true"),
    }),
  },
  responses: {
    200: { description: "Kill switches", content: json(z.array(KillSwitchSchema)) },
    ...errorResponses(401, 403, 422),
  },
});

/**
 * Kill switches beyond the contract's session and system kills: `POST /v1/kill/agent/{agent_id}`, the three
 * resume paths and `GET /v1/kill-switches`. Engaging and releasing need the `kill` permission (never an
 * agent token).
 */
export function registerKillResumeRoutes(app: HttpRouter, { controlPlane: cp }: HttpDeps): void {
  app.openapi(killAgent, async (c) => {
    const principal = authorize(c, "kill");
    const agentId = c.req.valid("param").agent_id;
    const key = c.req.valid("header")["x-idempotency-key"];
    const reason = c.req.valid("json").reason ?? DEFAULT_AGENT_KILL_REASON;
    const result = await cp.kill({
      scope: "agent",
      agentId,
      reason,
      actor: actorOf(principal),
      ...(key === undefined ? {} : { idempotencyKey: key }),
    });
    return c.json(toKillResult(result), 200);
  });

  const resume = async (target: KillTarget, actor: string, key: string | undefined) =>
    cp.resume({ ...target, actor, ...(key === undefined ? {} : { idempotencyKey: key }) });

  app.openapi(resumeSystem, async (c) => {
    const actor = actorOf(authorize(c, "kill"));
    return c.json(await resume({ scope: "global" }, actor, c.req.valid("header")["x-idempotency-key"]), 200);
  });
  app.openapi(resumeAgent, async (c) => {
    const actor = actorOf(authorize(c, "kill"));
    const { agent_id } = c.req.valid("param");
    const key = c.req.valid("header")["x-idempotency-key"];
    return c.json(await resume({ scope: "agent", agentId: agent_id }, actor, key), 200);
  });
  app.openapi(resumeSession, async (c) => {
    const actor = actorOf(authorize(c, "kill"));
    const { session_id } = c.req.valid("param");
    const key = c.req.valid("header")["x-idempotency-key"];
    return c.json(await resume({ scope: "session", sessionId: session_id }, actor, key), 200);
  });

  app.openapi(listKillSwitches, async (c) => {
    authorize(c, "read");
    const switches = await cp.listKillSwitches({ engagedOnly: c.req.valid("query").engaged_only });
    return c.json(
      switches.map((k) => ({
        scope: k.scope,
        target: k.target,
        engaged: k.engaged,
        reason: k.reason,
        engaged_by: k.engagedBy,
        engaged_at: iso(k.engagedAt),
        released_at: iso(k.releasedAt),
      })),
      200,
    );
  });
}
