import { createRoute, z } from "@hono/zod-openapi";
import { can } from "../../auth/roles.js";
import type { AgentRecord } from "../../types/agent.js";
import { assertOwnSession, authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { httpError } from "../errors.js";
import {
  BEARER,
  errorResponses,
  IdempotencyHeaders,
  iso,
  LimitQuery,
  OffsetQuery,
  uuid,
} from "../schemas/common.js";

const json = <T>(schema: T) => ({ "application/json": { schema } });
const Name = z.string().min(1).max(200);

const AgentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    capabilities: z.array(z.string()).openapi({ description: 'Action names it may propose; "*" grants all' }),
    tags: z.array(z.string()),
    created_at: z.string().datetime(),
    updated_at: z.string().datetime(),
  })
  .openapi("Agent");

const RegisterAgentBody = z
  .object({
    id: Name,
    name: Name.optional(),
    capabilities: z.array(Name).max(1000).optional(),
    tags: z.array(Name).max(100).optional(),
  })
  .strict()
  .openapi("RegisterAgentRequest");

const DelegationSchema = z
  .object({
    id: z.string(),
    from_agent_id: z.string(),
    to_agent_id: z.string(),
    session_id: z.string().nullable(),
    task: z.string(),
    created_at: z.string().datetime(),
  })
  .openapi("Delegation");

const DelegationBody = z
  .object({
    from_agent_id: Name,
    to_agent_id: Name,
    task: z.string().min(1).max(10_000),
    session_id: uuid().optional(),
  })
  .strict()
  .openapi("RecordDelegationRequest");

const registerAgent = createRoute({
  method: "post",
  path: "/v1/agents",
  operationId: "registerAgent",
  tags: ["Agents"],
  summary: "Register (or update) an agent and its capabilities",
  security: BEARER,
  request: { headers: IdempotencyHeaders, body: { required: true, content: json(RegisterAgentBody) } },
  responses: {
    201: { description: "Agent registered", content: json(AgentSchema) },
    ...errorResponses(401, 403, 409, 422),
  },
});

const listAgents = createRoute({
  method: "get",
  path: "/v1/agents",
  operationId: "listAgents",
  tags: ["Agents"],
  summary: "List registered agents ordered by id (optionally having any of tags=a,b)",
  security: BEARER,
  request: {
    query: z.object({ tags: z.string().max(2000).optional(), limit: LimitQuery, offset: OffsetQuery }),
  },
  responses: {
    200: { description: "Agents returned", content: json(z.array(AgentSchema)) },
    ...errorResponses(401, 403, 422),
  },
});

const getAgent = createRoute({
  method: "get",
  path: "/v1/agents/{agent_id}",
  operationId: "getAgent",
  tags: ["Agents"],
  summary: "Get a registered agent",
  security: BEARER,
  request: { params: z.object({ agent_id: Name }) },
  responses: {
    200: { description: "Agent returned", content: json(AgentSchema) },
    ...errorResponses(401, 403, 404, 422),
  },
});

const recordDelegation = createRoute({
  method: "post",
  path: "/v1/delegations",
  operationId: "recordDelegation",
  tags: ["Agents"],
  summary: "Record that one agent delegated a task to another (an agent token: from itself)",
  security: BEARER,
  request: { headers: IdempotencyHeaders, body: { required: true, content: json(DelegationBody) } },
  responses: {
    201: { description: "Delegation recorded", content: json(DelegationSchema) },
    ...errorResponses(401, 403, 404, 409, 422),
  },
});

function toAgentJson(a: AgentRecord): z.infer<typeof AgentSchema> {
  return {
    id: a.id,
    name: a.name,
    capabilities: [...a.capabilities],
    tags: [...a.tags],
    created_at: iso(a.createdAt),
    updated_at: iso(a.updatedAt),
  };
}

/** Agents and delegations: register, list and read agents; record delegations. */
export function registerAgentRoutes(app: HttpRouter, { controlPlane: cp }: HttpDeps): void {
  app.openapi(registerAgent, async (c) => {
    authorize(c, "agents.manage");
    const body = c.req.valid("json");
    const key = c.req.valid("header")["x-idempotency-key"];
    const agent = await cp.registerAgent({
      id: body.id,
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.capabilities === undefined ? {} : { capabilities: body.capabilities }),
      ...(body.tags === undefined ? {} : { tags: body.tags }),
      ...(key === undefined ? {} : { idempotencyKey: key }),
    });
    return c.json(toAgentJson(agent), 201);
  });

  app.openapi(listAgents, async (c) => {
    authorize(c, "read");
    const q = c.req.valid("query");
    const tags = q.tags
      ?.split(",")
      .map((t) => t.trim())
      .filter((t) => t !== "");
    const agents = await cp.listAgents({
      ...(tags === undefined || tags.length === 0 ? {} : { tags }),
      limit: q.limit,
      offset: q.offset,
    });
    return c.json(agents.map(toAgentJson), 200);
  });

  app.openapi(getAgent, async (c) => {
    authorize(c, "read");
    return c.json(toAgentJson(await cp.getAgent(c.req.valid("param").agent_id)), 200);
  });

  app.openapi(recordDelegation, async (c) => {
    const principal = authorize(c, "agents.manage", "act.own");
    const body = c.req.valid("json");
    if (!can(principal, "agents.manage")) {
      if (body.from_agent_id !== principal.agentId) {
        throw httpError("forbidden", `agent "${principal.agentId}" may delegate only its own tasks`, {
          agentId: principal.agentId,
        });
      }
      if (body.session_id !== undefined) await assertOwnSession(cp, principal, body.session_id);
    }
    const key = c.req.valid("header")["x-idempotency-key"];
    const d = await cp.recordDelegation({
      fromAgentId: body.from_agent_id,
      toAgentId: body.to_agent_id,
      task: body.task,
      ...(body.session_id === undefined ? {} : { sessionId: body.session_id }),
      ...(key === undefined ? {} : { idempotencyKey: key }),
    });
    return c.json(
      {
        id: d.id,
        from_agent_id: d.fromAgentId,
        to_agent_id: d.toAgentId,
        session_id: d.sessionId,
        task: d.task,
        created_at: iso(d.createdAt),
      },
      201,
    );
  });
}
