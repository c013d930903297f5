import { z } from "@hono/zod-openapi";
import type { ProposalView } from "../../control-plane/views.js";
import { DECISION_CODES, OUTCOMES } from "../../types/decision.js";
import { PROPOSAL_STATUSES } from "../../types/proposal-record.js";
import { RISK_LEVELS } from "../../types/risk.js";
import { ACTION_TIERS } from "../../types/tier.js";
import { iso } from "./common.js";
import { TraceEntrySchema } from "./decision.js";
import { ModelCallBody } from "./model-call.js";
import { MoneyInput } from "./money.js";

/** Money in a request (moved to `money.ts`; re-exported here for existing imports). */
export { MoneyInput } from "./money.js";

const JsonObjectInput = z.record(z.string(), z.unknown());

/** Body of `POST /v1/proposals`. */
export const ProposeBody = z
  .object({
    session_id: z.string().uuid(),
    agent_id: z.string().min(1).max(200).optional(),
    action: z.string().min(1).max(200),
    resource_id: z.string().min(1).max(1000).optional(),
    resource_type: z.string().min(1).max(200).optional(),
    args: JsonObjectInput.optional(),
    cost: MoneyInput.optional(),
    metadata: JsonObjectInput.optional(),
    model: ModelCallBody.optional().openapi({
      description: "An LLM call this proposal governs (model governor, token budgets)",
    }),
  })
  .strict()
  .openapi("ProposeRequest");

/** Body of `POST /v1/proposals/{proposal_id}/complete`. */
export const CompleteBody = z
  .object({
    ok: z.boolean(),
    cost: MoneyInput.optional(),
    output: z.unknown().optional().openapi({ description: "Any JSON value kept in the audit record" }),
    error: z.string().max(10_000).optional(),
  })
  .strict()
  .openapi("CompleteRequest");

/** Body of `POST /v1/proposals/{proposal_id}/heartbeat`. */
export const HeartbeatBody = z
  .object({ ttl_ms: z.number().int().min(1).max(86_400_000).optional() })
  .strict()
  .openapi("HeartbeatRequest");

/** A stored proposal with its decision and outcome (money as decimal strings). */
export const ProposalSchema = z
  .object({
    id: z.string().uuid(),
    session_id: z.string().uuid(),
    agent_id: z.string().nullable(),
    action: z.string(),
    resource_type: z.string().nullable(),
    resource_id: z.string().nullable(),
    args: z.record(z.string(), z.unknown()),
    metadata: z.record(z.string(), z.unknown()),
    status: z.enum(PROPOSAL_STATUSES),
    outcome: z.enum(OUTCOMES),
    code: z.enum(DECISION_CODES),
    reason: z.string(),
    risk_level: z.enum(RISK_LEVELS),
    tier: z.enum(ACTION_TIERS),
    trace: z.array(TraceEntrySchema),
    ticket_id: z.string().uuid().nullable(),
    cost: z.string(),
    reserved_cost: z.string(),
    actual_cost: z.string().nullable(),
    output: z.unknown().nullable(),
    error: z.string().nullable(),
    created_at: z.string().datetime(),
    updated_at: z.string().datetime(),
    completed_at: z.string().datetime().nullable(),
  })
  .openapi("Proposal");

/** Maps a proposal view to its JSON. */
export function toProposalJson(p: ProposalView): z.infer<typeof ProposalSchema> {
  return {
    id: p.id,
    session_id: p.sessionId,
    agent_id: p.agentId,
    action: p.action,
    resource_type: p.resourceType,
    resource_id: p.resourceId,
    args: p.args,
    metadata: p.metadata,
    status: p.status,
    outcome: p.outcome,
    code: p.code,
    reason: p.reason,
    risk_level: p.riskLevel,
    tier: p.tier,
    trace: p.trace.map((t) => ({ ...t })),
    ticket_id: p.ticketId,
    cost: p.cost,
    reserved_cost: p.reservedCost,
    actual_cost: p.actualCost,
    output: p.output,
    error: p.error,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
    completed_at: iso(p.completedAt),
  };
}
