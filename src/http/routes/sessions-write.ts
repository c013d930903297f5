import { createRoute, z } from "@hono/zod-openapi";
import { actorOf, assertOwnSession, authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { httpError } from "../errors.js";
import { BEARER, errorResponses, IdempotencyHeaders, uuid } from "../schemas/common.js";
import { EventFrameSchema, toEventFrame } from "../schemas/event-frame.js";
import { PolicyResponseSchema, toPolicyJson } from "../schemas/policy.js";
import { MoneyInput } from "../schemas/proposal.js";
import { SessionStateSchema, toSessionState } from "../schemas/session-state.js";

const json = <T>(schema: T) => ({ "application/json": { schema } });
const SessionParam = z.object({ session_id: uuid() });

/** Body of `POST /v1/sessions`. */
const OpenSessionBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    agent_id: z.string().min(1).max(200).optional(),
    budget: z
      .object({ max_cost: MoneyInput.optional(), max_actions: z.number().int().min(0).optional() })
      .strict()
      .optional(),
  })
  .strict()
  .openapi("OpenSessionRequest");

/** Body of the session verbs: an optional reason (kept by pause and abort). */
const ReasonBody = z
  .object({ reason: z.string().min(1).max(2000).optional() })
  .strict()
  .openapi("SessionChangeRequest");

const openSession = createRoute({
  method: "post",
  path: "/v1/sessions",
  operationId: "openSession",
  tags: ["Sessions"],
  summary: "Open a session (an agent token opens it for its own agent)",
  security: BEARER,
  request: { headers: IdempotencyHeaders, body: { required: false, content: json(OpenSessionBody) } },
  responses: {
    201: { description: "Session opened", content: json(SessionStateSchema) },
    ...errorResponses(401, 403, 422),
  },
});

const VERBS = ["pause", "resume", "close", "abort"] as const;
type Verb = (typeof VERBS)[number];

function verbRoute(verb: Verb) {
  return createRoute({
    method: "post",
    path: `/v1/sessions/{session_id}/${verb}`,
    operationId: `${verb}Session`,
    tags: ["Sessions"],
    summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} a session`,
    security: BEARER,
    request: {
      params: SessionParam,
      headers: IdempotencyHeaders,
      body: { required: false, content: json(ReasonBody) },
    },
    responses: {
      200: { description: "Session after the change", content: json(SessionStateSchema) },
      ...errorResponses(401, 403, 404, 409, 422),
    },
  });
}

/** A page of a session's audit log. */
const SessionEventPage = z
  .object({
    items: z.array(EventFrameSchema),
    next_after_seq: z.number().int().nullable().openapi({
      description: "Pass as after_seq for the next page; null when this page reached the end",
    }),
  })
  .openapi("SessionEventPage");

const sessionEvents = createRoute({
  method: "get",
  path: "/v1/sessions/{session_id}/events",
  operationId: "listSessionEvents",
  tags: ["Events"],
  summary: "A session's audit log, ascending by seq, paged",
  security: BEARER,
  request: {
    params: SessionParam,
    query: z.object({
      after_seq: z.coerce.number().int().min(0).default(0).openapi({ type: "integer" }),
      limit: z.coerce.number().int().min(1).max(1000).default(100).openapi({ type: "integer" }),
    }),
  },
  responses: {
    200: { description: "Events returned", content: json(SessionEventPage) },
    ...errorResponses(401, 403, 404, 422),
  },
});

const sessionPolicy = createRoute({
  method: "get",
  path: "/v1/sessions/{session_id}/policy",
  operationId: "getSessionPolicy",
  tags: ["Sessions"],
  summary: "The session's frozen policy snapshot",
  security: BEARER,
  request: { params: SessionParam },
  responses: {
    200: { description: "Policy returned", content: json(PolicyResponseSchema) },
    ...errorResponses(401, 403, 404, 422),
  },
});

/**
 * The session write paths: open, pause, resume, close, abort; and the session's audit log and policy. An
 * agent token opens sessions for its own agent only and changes only the sessions its agent owns.
 */
export function registerSessionWriteRoutes(app: HttpRouter, { controlPlane: cp }: HttpDeps): void {
  app.openapi(openSession, async (c) => {
    const principal = authorize(c, "sessions.own", "sessions.control");
    const body = c.req.valid("json");
    const key = c.req.valid("header")["x-idempotency-key"];
    if (principal.role === "agent" && body.agent_id !== undefined && body.agent_id !== principal.agentId) {
      throw httpError(
        "forbidden",
        `agent "${principal.agentId}" may not open a session for "${body.agent_id}"`,
        {
          agentId: principal.agentId,
        },
      );
    }
    const agentId = principal.role === "agent" ? principal.agentId! : body.agent_id;
    const b = body.budget;
    const session = await cp.openSession({
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(agentId === undefined ? {} : { agentId }),
      ...(b === undefined
        ? {}
        : {
            budget: {
              ...(b.max_cost === undefined ? {} : { maxCost: b.max_cost }),
              ...(b.max_actions === undefined ? {} : { maxActions: b.max_actions }),
            },
          }),
      ...(key === undefined ? {} : { idempotencyKey: key }),
    });
    return c.json(toSessionState(session), 201);
  });

  for (const verb of VERBS) {
    app.openapi(verbRoute(verb), async (c) => {
      const principal = authorize(c, "sessions.own", "sessions.control");
      const id = c.req.valid("param").session_id;
      await assertOwnSession(cp, principal, id);
      const key = c.req.valid("header")["x-idempotency-key"];
      const options = { actor: actorOf(principal), ...(key === undefined ? {} : { idempotencyKey: key }) };
      const reason = c.req.valid("json").reason;
      const changed =
        verb === "pause"
          ? await cp.pauseSession(id, reason ?? `paused by ${principal.name}`, options)
          : verb === "resume"
            ? await cp.resumeSession(id, options)
            : verb === "close"
              ? await cp.closeSession(id, options)
              : await cp.abortSession(id, reason ?? `aborted by ${principal.name}`, options);
      return c.json(toSessionState(changed), 200);
    });
  }

  app.openapi(sessionEvents, async (c) => {
    const principal = authorize(c, "read", "read.own");
    const id = c.req.valid("param").session_id;
    const q = c.req.valid("query");
    await assertOwnSession(cp, principal, id);
    const items = await cp.events(id, { afterSeq: q.after_seq, limit: q.limit });
    const last = items.at(-1);
    return c.json(
      {
        items: items.map(toEventFrame),
        next_after_seq: items.length === q.limit && last?.seq != null ? last.seq : null,
      },
      200,
    );
  });

  app.openapi(sessionPolicy, async (c) => {
    const principal = authorize(c, "read", "read.own");
    const id = c.req.valid("param").session_id;
    await assertOwnSession(cp, principal, id);
    return c.json(toPolicyJson(await cp.getSessionPolicy(id)), 200);
  });
}
