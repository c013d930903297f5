import { z } from "@hono/zod-openapi";
import { ApprovalTicketSchema } from "./approval-ticket.js";

/** The contract's `TicketPage`: `next_offset` is the offset of the next page, null when the page is not full. */
export const TicketPageSchema = z
  .object({
    items: z.array(ApprovalTicketSchema),
    next_offset: z.number().int().nullable().optional(),
  })
  .openapi("TicketPage");
