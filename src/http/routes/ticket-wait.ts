import { createRoute, z } from "@hono/zod-openapi";
import { ControlPlaneError } from "../../errors/control-plane-error.js";
import { TICKET_STATUSES } from "../../types/ticket.js";
import { assertOwnSession, authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { linkedSignal } from "../linked-signal.js";
import { ApprovalTicketSchema, toApprovalTicket } from "../schemas/approval-ticket.js";
import { BEARER, errorResponses, uuid } from "../schemas/common.js";

/** Answer of the long poll. `timed_out` is true when the ticket is still pending. */
const TicketWaitResult = z
  .object({ status: z.enum(TICKET_STATUSES), timed_out: z.boolean(), ticket: ApprovalTicketSchema })
  .openapi("TicketWaitResult");

const waitTicket = createRoute({
  method: "get",
  path: "/v1/tickets/{ticket_id}/wait",
  operationId: "waitForTicket",
  tags: ["Tickets"],
  summary: "Long poll until the ticket is decided or expired, or timeout_ms passes",
  security: BEARER,
  request: {
    params: z.object({ ticket_id: uuid() }),
    query: z.object({
      timeout_ms: z.coerce.number().int().min(0).max(60_000).default(30_000).openapi({ type: "integer" }),
    }),
  },
  responses: {
    200: {
      description: "Decided, expired, or still pending at the timeout",
      content: { "application/json": { schema: TicketWaitResult } },
    },
    ...errorResponses(401, 403, 404, 422),
  },
});

/**
 * `GET /v1/tickets/{ticket_id}/wait`: waits on the facade's `waitForDecision` (woken by change notices, also
 * from other processes on PostgreSQL). The wait is abandoned when the client disconnects; when the app is
 * closing it answers at once with the ticket's current state (`timed_out: true` if still pending).
 */
export function registerTicketWaitRoutes(app: HttpRouter, { controlPlane: cp, shutdown }: HttpDeps): void {
  app.openapi(waitTicket, async (c) => {
    const principal = authorize(c, "read", "read.own");
    const id = c.req.valid("param").ticket_id;
    const timeoutMs = c.req.valid("query").timeout_ms;
    if (principal.role === "agent") {
      await assertOwnSession(cp, principal, (await cp.getTicket(id)).sessionId, `ticket ${id}`);
    }
    const { signal, dispose } = linkedSignal(c.req.raw.signal, shutdown);
    try {
      const r = await cp.waitForDecision(id, { timeoutMs: shutdown.aborted ? 0 : timeoutMs, signal });
      return c.json({ status: r.status, timed_out: r.timedOut, ticket: toApprovalTicket(r.ticket) }, 200);
    } catch (error) {
      if (!(error instanceof ControlPlaneError && error.code === "aborted") || !shutdown.aborted) throw error;
      const ticket = await cp.getTicket(id);
      const pending = ticket.status === "pending";
      return c.json({ status: ticket.status, timed_out: pending, ticket: toApprovalTicket(ticket) }, 200);
    } finally {
      dispose();
    }
  });
}
