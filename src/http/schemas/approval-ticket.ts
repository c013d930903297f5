import { z } from "@hono/zod-openapi";
import type { TicketView } from "../../control-plane/views.js";
import { TICKET_STATUSES } from "../../types/ticket.js";
import { iso } from "./common.js";

/** What the ticket asks a human to decide (our addition to the contract's `ApprovalTicket`). */
export const TicketRequestSchema = z
  .object({
    action: z.string(),
    agent_id: z.string().nullable(),
    resource_type: z.string().nullable(),
    resource_id: z.string().nullable(),
    cost: z.string().openapi({ description: "Decimal serialized as string" }),
    reason: z.string(),
    risk_level: z.string(),
    tier: z.string(),
  })
  .openapi("TicketRequest");

/** The contract's `ApprovalTicket`, plus `request`, `scope_actions`, `scope_remaining_uses`, `escalation_level`. */
export const ApprovalTicketSchema = z
  .object({
    id: z.string().uuid(),
    session_id: z.string().uuid(),
    proposal_id: z.string().uuid(),
    scope_resource_ids: z.array(z.string()).nullable().optional(),
    scope_max_cost: z.string().nullable().optional(),
    scope_max_count: z.number().int().nullable().optional(),
    scope_expiry: z.string().datetime().nullable().optional(),
    status: z.enum(TICKET_STATUSES),
    decision_type: z.enum(["allow_once", "allow_for_session"]).nullable().optional(),
    decided_by: z.string().nullable().optional(),
    decision_reason: z.string().nullable().optional(),
    timeout_at: z.string().datetime().nullable().optional(),
    created_at: z.string().datetime(),
    decided_at: z.string().datetime().nullable().optional(),
    scope_actions: z.array(z.string()).nullable(),
    scope_remaining_uses: z.number().int().nullable(),
    escalation_level: z.number().int(),
    request: TicketRequestSchema,
  })
  .openapi("ApprovalTicket");

/** The JSON of an approval ticket. */
export type ApprovalTicketJson = z.infer<typeof ApprovalTicketSchema>;

/** Maps a ticket view onto the contract's `ApprovalTicket` (non one-to-one fields noted in docs/http-api.md). */
export function toApprovalTicket(t: TicketView): ApprovalTicketJson {
  const s = t.scope;
  return {
    id: t.id,
    session_id: t.sessionId,
    proposal_id: t.proposalId,
    scope_resource_ids: s?.resourceIds ? [...s.resourceIds] : null,
    scope_max_cost: s?.maxCostPerAction ?? null,
    scope_max_count: s?.maxUses ?? null,
    scope_expiry: s ? iso(s.expiresAt) : null,
    status: t.status,
    decision_type: s === null ? null : s.kind === "once" ? "allow_once" : "allow_for_session",
    decided_by: t.decidedBy,
    decision_reason: t.reason,
    timeout_at: iso(t.deadlineAt),
    created_at: iso(t.createdAt),
    decided_at: iso(t.decidedAt),
    scope_actions: s?.actions ? [...s.actions] : null,
    scope_remaining_uses: s?.remainingUses ?? null,
    escalation_level: t.escalationLevel,
    request: {
      action: t.request.action,
      agent_id: t.request.agentId,
      resource_type: t.request.resourceType,
      resource_id: t.request.resourceId,
      cost: t.request.cost,
      reason: t.request.reason,
      risk_level: t.request.riskLevel,
      tier: t.request.tier,
    },
  };
}
