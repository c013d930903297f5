import { z } from "@hono/zod-openapi";
import type { SessionView } from "../../control-plane/views.js";
import { RISK_LEVELS } from "../../types/risk.js";
import { SESSION_STATUSES } from "../../types/session.js";
import { iso } from "./common.js";

/** A session's accumulated risk (policy `sessionRisk`); score 0, level `low` when nothing accumulated. */
export const SessionRiskSchema = z
  .object({
    score: z.number(),
    level: z.enum(RISK_LEVELS),
    action_count: z.number().int().openapi({ description: "Proposals routed in the session" }),
    detected_patterns: z
      .array(z.string())
      .openapi({ description: "Patterns that matched, first match first" }),
  })
  .openapi("SessionRisk");

/** The contract's `SessionState`. */
export const SessionStateSchema = z
  .object({
    id: z.string().uuid(),
    session_name: z.string(),
    status: z.enum(SESSION_STATUSES),
    execution_mode: z.enum(["dry_run", "live", "replay"]),
    asset_scope: z.enum(["matched_only"]).nullable().optional(),
    max_cost: z.string().openapi({ description: 'Decimal serialized as string; "Infinity" when unlimited' }),
    used_cost: z.string(),
    max_action_count: z.number().int().openapi({ description: "9007199254740991 when unlimited" }),
    used_action_count: z.number().int(),
    active_policy_id: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: "Our policy id (32 hex digits of its SHA-256) written as a UUID" }),
    active_cycle_id: z.string().uuid().nullable().optional(),
    dry_run_session_id: z.string().uuid().nullable().optional(),
    abort_reason: z
      .enum([
        "operator_request",
        "kill_switch",
        "budget_exhausted",
        "agent_timeout",
        "system_error",
        "policy_violation",
      ])
      .nullable()
      .optional(),
    abort_details: z.string().nullable().optional(),
    created_at: z.string().datetime(),
    updated_at: z.string().datetime().nullable().optional(),
    // Our additions (the contract allows extra properties).
    agent_id: z.string().nullable(),
    last_seq: z.number().int(),
    policy_id: z.string().openapi({ description: "Our policy id as is (see GET /v1/sessions/{id}/policy)" }),
    risk: SessionRiskSchema.optional().openapi({
      description: "Accumulated risk (policy sessionRisk); only in GET /v1/sessions/{session_id}",
    }),
  })
  .openapi("SessionState");

/** Maps a session view onto the contract's `SessionState` (non one-to-one fields noted in docs/http-api.md). */
export function toSessionState(s: SessionView): z.infer<typeof SessionStateSchema> {
  return {
    id: s.id,
    session_name: s.name ?? s.id,
    status: s.status,
    execution_mode: "live",
    asset_scope: null,
    max_cost: s.budget.maxCost ?? "Infinity",
    used_cost: s.budget.usedCost,
    max_action_count: s.budget.maxActions ?? Number.MAX_SAFE_INTEGER,
    used_action_count: s.budget.usedActions,
    active_policy_id: asUuid(s.policyId),
    active_cycle_id: null,
    dry_run_session_id: null,
    abort_reason: s.status === "aborted" ? abortReason(s.statusReason) : null,
    abort_details: s.status === "aborted" ? s.statusReason : null,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
    agent_id: s.agentId,
    last_seq: s.lastSeq,
    policy_id: s.policyId,
    ...(s.risk === undefined
      ? {}
      : {
          risk: {
            score: s.risk.score,
            level: s.risk.level,
            action_count: s.risk.actionCount,
            detected_patterns: [...s.risk.detectedPatterns],
          },
        }),
  };
}

/** Writes 32 hex digits as a UUID (8-4-4-4-12); any other id stays as it is. */
function asUuid(id: string): string {
  const m = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i.exec(id);
  return m === null ? id : m.slice(1).join("-");
}

function abortReason(reason: string | null) {
  if (reason?.startsWith("kill switch")) return "kill_switch" as const;
  if (reason?.includes("budget")) return "budget_exhausted" as const;
  return "operator_request" as const;
}
