import { z } from "@hono/zod-openapi";
import type { HealthSnapshot } from "../../control-plane/control-plane.js";
import { iso } from "./common.js";

/** The contract's `SessionHealth`, plus our session counts by the other statuses and the engaged kill switches. */
export const SessionHealthSchema = z
  .object({
    total_sessions: z.number().int(),
    active_sessions: z.number().int(),
    created_sessions: z.number().int(),
    paused_sessions: z.number().int(),
    sessions_with_active_cycles: z
      .number()
      .int()
      .openapi({ description: "Always 0: cycles are leases the health snapshot does not count" }),
    pending_tickets: z.number().int(),
    captured_at: z.string().datetime(),
    completed_sessions: z.number().int(),
    aborted_sessions: z.number().int(),
    engaged_kill_switches: z.number().int(),
  })
  .openapi("SessionHealth");

/** The JSON of a health snapshot. */
export type SessionHealthJson = z.infer<typeof SessionHealthSchema>;

/** Maps the facade's health snapshot onto the contract's `SessionHealth`, captured at `now` (epoch ms). */
export function toSessionHealth(h: HealthSnapshot, now: number): SessionHealthJson {
  const s = h.sessions;
  return {
    total_sessions: Object.values(s).reduce((a, b) => a + b, 0),
    active_sessions: s.active ?? 0,
    created_sessions: s.created ?? 0,
    paused_sessions: s.paused ?? 0,
    sessions_with_active_cycles: h.activeCycles,
    pending_tickets: h.pendingTickets,
    captured_at: iso(now),
    completed_sessions: s.completed ?? 0,
    aborted_sessions: s.aborted ?? 0,
    engaged_kill_switches: h.engagedKillSwitches,
  };
}
