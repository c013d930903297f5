import { z } from "@hono/zod-openapi";
import type { KillResult } from "../../engines/kill-switch/kill-switch.js";

/** The contract's `KillRequest`: an optional reason (the route supplies the original's default). */
export const KillRequestSchema = z
  .object({ reason: z.string().min(1).max(2000).optional() })
  .strict()
  .openapi("KillRequest");

/** The contract's `KillSwitchScope` values, by our kill-switch scope. */
export const CONTRACT_KILL_SCOPE = {
  session: "session_abort",
  agent: "agent_abort",
  global: "system_halt",
} as const;

/** The contract's `KillResult`, plus `changed` (false when the switch was already engaged) and `sessions_paused`. */
export const KillResultSchema = z
  .object({
    scope: z.enum(["session_abort", "agent_abort", "system_halt", "budget_auto_halt"]),
    session_id: z.string().uuid().nullable().optional(),
    agent_id: z.string().nullable().optional(),
    sessions_aborted: z.number().int().nullable().optional(),
    sessions_affected: z.number().int().nullable().optional(),
    tickets_denied: z.number().int(),
    sessions_paused: z.number().int(),
    changed: z.boolean(),
  })
  .openapi("KillResult");

/** The JSON of a kill result. */
export type KillResultJson = z.infer<typeof KillResultSchema>;

/**
 * Maps what the facade's `kill()` did onto the contract's `KillResult`: `target` becomes `session_id` (session
 * scope) or `agent_id` (agent scope); `sessions_affected` counts aborted plus paused sessions (see
 * docs/http-api.md).
 */
export function toKillResult(r: KillResult): KillResultJson {
  return {
    scope: CONTRACT_KILL_SCOPE[r.scope],
    session_id: r.scope === "session" ? r.target : null,
    agent_id: r.scope === "agent" ? r.target : null,
    sessions_aborted: r.sessionsAborted,
    sessions_affected: r.sessionsAborted + r.sessionsPaused,
    tickets_denied: r.ticketsDenied,
    sessions_paused: r.sessionsPaused,
    changed: r.changed,
  };
}
