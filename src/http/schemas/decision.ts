import { z } from "@hono/zod-openapi";
import type { Decision } from "../../control-plane/decision.js";
import type { DryRunDecision } from "../../control-plane/dry-run-decision.js";
import { DECISION_CODES, OUTCOMES } from "../../types/decision.js";
import { RISK_LEVELS } from "../../types/risk.js";
import { ACTION_TIERS } from "../../types/tier.js";

/** One line of a decision trace. */
export const TraceEntrySchema = z
  .object({ step: z.string(), result: z.string(), detail: z.string().optional() })
  .openapi("TraceEntry");

/** Guidance of a `steered` decision. */
export const SteeringSchema = z
  .object({ guidance: z.string(), suggested_actions: z.array(z.string()), max_retries: z.number().int() })
  .openapi("Steering");

/** The fields a stored and a dry-run decision share. */
const decisionFields = {
  outcome: z.enum(OUTCOMES),
  code: z.enum(DECISION_CODES),
  reason: z.string(),
  risk_level: z.enum(RISK_LEVELS),
  tier: z.enum(ACTION_TIERS),
  trace: z.array(TraceEntrySchema),
  warnings: z.array(z.string()),
  steering: SteeringSchema.nullable(),
};

/**
 * The decision of `POST /v1/proposals`: a value for every outcome (a denial is 200 too). Execute only when
 * `outcome` is `allowed`; `pending_approval` carries `ticket_id` to wait on; an allowed model call carries
 * `token_reservation_id` to settle with the actual usage.
 */
export const DecisionSchema = z
  .object({
    proposal_id: z.string().uuid(),
    ...decisionFields,
    ticket_id: z.string().uuid().nullable(),
    token_reservation_id: z
      .string()
      .nullable()
      .openapi({
        description:
          "For an allowed proposal carrying a model call: the token reservation to settle with the actual usage " +
          "(POST /v1/token-reservations/{reservation_id}/settle); null otherwise",
      }),
  })
  .openapi("Decision");

/** The decision of a dry run (`POST /v1/policies/test`): nothing stored, so no proposal or ticket id. */
export const DryRunDecisionSchema = z.object(decisionFields).openapi("DryRunDecision");

type SteeringJson = z.infer<typeof SteeringSchema>;

function steeringJson(s: {
  guidance: string;
  suggestedActions: readonly string[];
  maxRetries: number;
}): SteeringJson {
  return { guidance: s.guidance, suggested_actions: [...s.suggestedActions], max_retries: s.maxRetries };
}

/** Maps a facade decision to its JSON. */
export function toDecisionJson(d: Decision): z.infer<typeof DecisionSchema> {
  return {
    proposal_id: d.proposalId,
    // The fields a dry run shares; only a steered decision carries steering.
    ...toDryRunJson(d.outcome === "steered" ? d : { ...d, steering: undefined }),
    ticket_id: d.outcome === "pending_approval" ? d.ticketId : null,
    token_reservation_id: d.tokenReservationId ?? null,
  };
}

/** Maps a dry-run decision to its JSON. */
export function toDryRunJson(d: DryRunDecision): z.infer<typeof DryRunDecisionSchema> {
  return {
    outcome: d.outcome,
    code: d.code,
    reason: d.reason,
    risk_level: d.riskLevel,
    tier: d.tier,
    trace: d.trace.map((t) => ({ ...t })),
    warnings: [...d.warnings],
    steering: d.steering === undefined ? null : steeringJson(d.steering),
  };
}
