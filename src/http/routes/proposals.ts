import { createRoute, z } from "@hono/zod-openapi";
import type { Principal } from "../../auth/roles.js";
import type { ControlPlane } from "../../control-plane/control-plane.js";
import type { JsonObject, JsonValue } from "../../types/json.js";
import { PROPOSAL_STATUSES } from "../../types/proposal-record.js";
import { assertOwnSession, assertOwnSessionFilter, authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { httpError } from "../errors.js";
import {
  BEARER,
  csvEnum,
  errorResponses,
  IdempotencyHeaders,
  iso,
  LimitQuery,
  OffsetQuery,
  uuid,
} from "../schemas/common.js";
import { DecisionSchema, toDecisionJson } from "../schemas/decision.js";
import { remapModelIssues, toModelCallInput } from "../schemas/model-call.js";
import {
  CompleteBody,
  HeartbeatBody,
  ProposalSchema,
  ProposeBody,
  toProposalJson,
} from "../schemas/proposal.js";

const json = <T>(schema: T) => ({ "application/json": { schema } });
const ProposalParam = z.object({ proposal_id: uuid() });

const propose = createRoute({
  method: "post",
  path: "/v1/proposals",
  operationId: "propose",
  tags: ["Proposals"],
  summary: "Propose an action and get the decision (200 for every outcome: a denial is a value)",
  security: BEARER,
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: json(ProposeBody) },
  },
  responses: {
    200: { description: "The decision", content: json(DecisionSchema) },
    ...errorResponses(401, 403, 404, 409, 422),
  },
});

const listProposals = createRoute({
  method: "get",
  path: "/v1/proposals",
  operationId: "listProposals",
  tags: ["Proposals"],
  summary: "List proposals, newest first (an agent token must give a session_id of its own)",
  security: BEARER,
  request: {
    query: z.object({
      session_id: uuid().optional(),
      status: csvEnum(PROPOSAL_STATUSES),
      limit: LimitQuery,
      offset: OffsetQuery,
    }),
  },
  responses: {
    200: { description: "Proposals returned", content: json(z.array(ProposalSchema)) },
    ...errorResponses(401, 403, 404, 422),
  },
});

const getProposal = createRoute({
  method: "get",
  path: "/v1/proposals/{proposal_id}",
  operationId: "getProposal",
  tags: ["Proposals"],
  summary: "Get a proposal with its decision, trace and outcome",
  security: BEARER,
  request: { params: ProposalParam },
  responses: {
    200: { description: "Proposal returned", content: json(ProposalSchema) },
    ...errorResponses(401, 403, 404, 422),
  },
});

const complete = createRoute({
  method: "post",
  path: "/v1/proposals/{proposal_id}/complete",
  operationId: "completeProposal",
  tags: ["Proposals"],
  summary: "Report the outcome of an allowed (executing) proposal",
  security: BEARER,
  request: {
    params: ProposalParam,
    headers: IdempotencyHeaders,
    body: { required: true, content: json(CompleteBody) },
  },
  responses: {
    200: { description: "The completed proposal", content: json(ProposalSchema) },
    ...errorResponses(401, 403, 404, 409, 422),
  },
});

const heartbeat = createRoute({
  method: "post",
  path: "/v1/proposals/{proposal_id}/heartbeat",
  operationId: "heartbeatProposal",
  tags: ["Proposals"],
  summary: "Extend the execution lease of an executing proposal",
  security: BEARER,
  request: { params: ProposalParam, body: { required: false, content: json(HeartbeatBody) } },
  responses: {
    200: {
      description: "The new lease expiry",
      content: json(z.object({ expires_at: z.string().datetime() }).openapi("HeartbeatResult")),
    },
    ...errorResponses(401, 403, 404, 409, 422),
  },
});

/** Throws 403 unless `principal` may act on the session (an agent: only a session it owns). */
/**
 * The proposal after checking that `principal` may see or act on it: an agent's own proposal needs no further
 * read; any other needs the session to be owned by the principal's agent.
 */
async function ownProposal(cp: ControlPlane, principal: Principal, proposalId: string) {
  const proposal = await cp.getProposal(proposalId);
  if (principal.role === "agent" && proposal.agentId !== principal.agentId) {
    await assertOwnSession(cp, principal, proposal.sessionId);
  }
  return proposal;
}

/**
 * The proposal paths of agent runtimes: propose, list, get, complete and heartbeat. An agent token proposes
 * only as its own agent (a body `agent_id` naming another agent is 403; omitted, it is filled in) and only in
 * sessions its agent owns.
 */
export function registerProposalRoutes(app: HttpRouter, { controlPlane: cp }: HttpDeps): void {
  app.openapi(propose, async (c) => {
    const principal = authorize(c, "act.own");
    const body = c.req.valid("json");
    const key = c.req.valid("header")["x-idempotency-key"];
    if (principal.role === "agent" && body.agent_id !== undefined && body.agent_id !== principal.agentId) {
      throw httpError(
        "forbidden",
        `agent "${principal.agentId}" may not propose as agent "${body.agent_id}"`,
        {
          agentId: principal.agentId,
        },
      );
    }
    await assertOwnSession(cp, principal, body.session_id);
    const agentId = principal.role === "agent" ? principal.agentId! : body.agent_id;
    const decision = await cp
      .propose({
        sessionId: body.session_id,
        action: body.action,
        ...(agentId === undefined ? {} : { agentId }),
        ...(body.resource_id === undefined ? {} : { resourceId: body.resource_id }),
        ...(body.resource_type === undefined ? {} : { resourceType: body.resource_type }),
        ...(body.args === undefined ? {} : { args: body.args as JsonObject }),
        ...(body.cost === undefined ? {} : { cost: body.cost }),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata as JsonObject }),
        ...(body.model === undefined ? {} : { model: toModelCallInput(body.model) }),
        ...(key === undefined ? {} : { idempotencyKey: key }),
      })
      .catch((error: unknown) => remapModelIssues(error, "body"));
    return c.json(toDecisionJson(decision), 200);
  });

  app.openapi(listProposals, async (c) => {
    const principal = authorize(c, "read", "read.own");
    const q = c.req.valid("query");
    await assertOwnSessionFilter(cp, principal, q.session_id);
    const items = await cp.listProposals({
      ...(q.session_id === undefined ? {} : { sessionId: q.session_id }),
      ...(q.status === undefined ? {} : { statuses: q.status }),
      limit: q.limit,
      offset: q.offset,
    });
    return c.json(items.map(toProposalJson), 200);
  });

  app.openapi(getProposal, async (c) => {
    const principal = authorize(c, "read", "read.own");
    const proposal = await ownProposal(cp, principal, c.req.valid("param").proposal_id);
    return c.json(toProposalJson(proposal), 200);
  });

  app.openapi(complete, async (c) => {
    const principal = authorize(c, "act.own");
    const id = c.req.valid("param").proposal_id;
    await ownProposal(cp, principal, id);
    const body = c.req.valid("json");
    const key = c.req.valid("header")["x-idempotency-key"];
    const done = await cp.complete(id, {
      ok: body.ok,
      ...(body.cost === undefined ? {} : { cost: body.cost }),
      ...(body.output === undefined ? {} : { output: body.output as JsonValue }),
      ...(body.error === undefined ? {} : { error: body.error }),
      ...(key === undefined ? {} : { idempotencyKey: key }),
    });
    return c.json(toProposalJson(done), 200);
  });

  app.openapi(heartbeat, async (c) => {
    const principal = authorize(c, "act.own");
    const id = c.req.valid("param").proposal_id;
    await ownProposal(cp, principal, id);
    const body = c.req.valid("json");
    const { expiresAt } = await cp.heartbeat(id, body.ttl_ms === undefined ? {} : { ttlMs: body.ttl_ms });
    return c.json({ expires_at: iso(expiresAt) }, 200);
  });
}
