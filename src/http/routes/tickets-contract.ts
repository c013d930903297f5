import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { TICKET_STATUSES } from "../../types/ticket.js";
import { assertOwnSession, assertOwnSessionFilter, authorize } from "../authorize.js";
import type { HttpDeps, HttpEnv, HttpRouter } from "../context.js";
import { ApprovalTicketSchema, toApprovalTicket } from "../schemas/approval-ticket.js";
import {
  BEARER,
  csvEnum,
  errorResponses,
  IdempotencyHeaders,
  LimitQuery,
  OffsetQuery,
  uuid,
} from "../schemas/common.js";
import {
  ApproveTicketRequestSchema,
  DenyTicketRequestSchema,
  renameDecisionIssues,
  toApprovalScope,
} from "../schemas/ticket-decision.js";
import { TicketPageSchema } from "../schemas/ticket-page.js";

const ticketJson = { "application/json": { schema: ApprovalTicketSchema } };

const listTickets = createRoute({
  method: "get",
  path: "/v1/tickets",
  operationId: "listTickets",
  tags: ["Tickets"],
  summary: "List approval tickets, newest first (an agent token must name a session of its own)",
  security: BEARER,
  request: {
    query: z.object({
      session_id: uuid().optional(),
      statuses: csvEnum(TICKET_STATUSES),
      limit: LimitQuery,
      offset: OffsetQuery,
    }),
  },
  responses: {
    200: {
      description: "Ticket page returned",
      content: { "application/json": { schema: TicketPageSchema } },
    },
    ...errorResponses(401, 403, 404, 422),
  },
});

const getTicket = createRoute({
  method: "get",
  path: "/v1/tickets/{ticket_id}",
  operationId: "getTicket",
  tags: ["Tickets"],
  summary: "Get a ticket by id",
  security: BEARER,
  request: { params: z.object({ ticket_id: uuid() }) },
  responses: {
    200: { description: "Ticket returned", content: ticketJson },
    ...errorResponses(401, 403, 404, 422),
  },
});

const decideRoute = (verdict: "approve" | "deny") =>
  createRoute({
    method: "post",
    path: `/v1/tickets/{ticket_id}/${verdict}`,
    operationId: verdict === "approve" ? "approveTicket" : "denyTicket",
    tags: ["Tickets"],
    summary:
      verdict === "approve"
        ? "Approve a pending ticket (decided_by is the principal; a body decided_by is ignored)"
        : "Deny a pending ticket (decided_by is the principal)",
    security: BEARER,
    request: {
      params: z.object({ ticket_id: uuid() }),
      headers: IdempotencyHeaders,
      body: {
        required: false,
        content: {
          "application/json": {
            schema: verdict === "approve" ? ApproveTicketRequestSchema : DenyTicketRequestSchema,
          },
        },
      },
    },
    responses: {
      200: { description: verdict === "approve" ? "Ticket approved" : "Ticket denied", content: ticketJson },
      ...errorResponses(401, 403, 404, 409, 422),
    },
  });

const approveTicket = decideRoute("approve");
const denyTicket = decideRoute("deny");

/** For an agent principal: the ticket's session must be its own (403 otherwise). */
/** The idempotency key of the request, if any, as the facade's option. */
function keyOf(c: Context<HttpEnv>): { idempotencyKey?: string } {
  const key = c.req.header("x-idempotency-key");
  return key === undefined ? {} : { idempotencyKey: key };
}

/** A non-empty reason as the facade's option (the contract's default reason is ""). */
function reasonOf(reason: string | null | undefined): { reason?: string } {
  return typeof reason === "string" && reason !== "" ? { reason } : {};
}

/** The contract's ticket paths: list, get, approve and deny. */
export function registerTicketContractRoutes(app: HttpRouter, { controlPlane }: HttpDeps): void {
  app.openapi(listTickets, async (c) => {
    const principal = authorize(c, "read", "read.own");
    const q = c.req.valid("query");
    await assertOwnSessionFilter(controlPlane, principal, q.session_id);
    const tickets = await controlPlane.listTickets({
      ...(q.session_id === undefined ? {} : { sessionId: q.session_id }),
      ...(q.statuses ? { statuses: q.statuses } : {}),
      limit: q.limit,
      offset: q.offset,
    });
    const full = tickets.length === q.limit;
    return c.json(
      { items: tickets.map(toApprovalTicket), next_offset: full ? q.offset + q.limit : null },
      200,
    );
  });

  app.openapi(getTicket, async (c) => {
    const principal = authorize(c, "read", "read.own");
    const ticket = await controlPlane.getTicket(c.req.valid("param").ticket_id);
    await assertOwnSession(controlPlane, principal, ticket.sessionId, `ticket ${ticket.id}`);
    return c.json(toApprovalTicket(ticket), 200);
  });

  app.openapi(approveTicket, async (c) => {
    const principal = authorize(c, "tickets.decide");
    const body = c.req.valid("json");
    const scope = toApprovalScope(body);
    const ticket = await controlPlane
      .approve(c.req.valid("param").ticket_id, {
        decidedBy: principal.name,
        ...reasonOf(body.reason),
        ...(scope === undefined ? {} : { scope }),
        ...keyOf(c),
      })
      .catch(renameDecisionIssues);
    return c.json(toApprovalTicket(ticket), 200);
  });

  app.openapi(denyTicket, async (c) => {
    const principal = authorize(c, "tickets.decide");
    const body = c.req.valid("json");
    const ticket = await controlPlane
      .deny(c.req.valid("param").ticket_id, {
        decidedBy: principal.name,
        ...reasonOf(body.reason),
        ...keyOf(c),
      })
      .catch(renameDecisionIssues);
    return c.json(toApprovalTicket(ticket), 200);
  });
}
