import { z } from "@hono/zod-openapi";
import type { EventRecord } from "../../types/event.js";
import { iso } from "./common.js";
import { EventFrameSchema, toEventFrame } from "./event-frame.js";

/** The contract's `StateChange`: one feed entry, its cursor (our feed id) and when it was recorded. */
export const StateChangeSchema = z
  .object({
    cursor: z.number().int(),
    event: EventFrameSchema,
    projected_at: z.string().datetime(),
  })
  .openapi("StateChange");

/** The contract's `StateChangePage`. `next_cursor` is null when the page is not full. */
export const StateChangePageSchema = z
  .object({
    items: z.array(StateChangeSchema),
    next_cursor: z.number().int().nullable().optional(),
  })
  .openapi("StateChangePage");

/** The JSON of a state-change page. */
export type StateChangePageJson = z.infer<typeof StateChangePageSchema>;

/**
 * Maps one page of the global feed onto the contract's `StateChangePage`: `cursor` is the feed id, `projected_at`
 * the time the event was recorded (our events are the projection), `next_cursor` the last id of a full page.
 */
export function toStateChangePage(events: readonly EventRecord[], limit: number): StateChangePageJson {
  const last = events.at(-1);
  return {
    items: events.map((e) => ({ cursor: e.id, event: toEventFrame(e), projected_at: iso(e.at) })),
    next_cursor: events.length === limit && last !== undefined ? last.id : null,
  };
}
