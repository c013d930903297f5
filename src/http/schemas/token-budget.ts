import { z } from "@hono/zod-openapi";
import type {
  TokenBudgetStateView,
  TokenBudgetView,
  TokenUsageSummaryView,
} from "../../control-plane/token-budget-api.js";
import type { TokenIdentity } from "../../types/token-budget.js";
import { iso } from "./common.js";

/** The contract's `BudgetPeriod`, plus our `rolling` (with `rolling: "1h"`; see docs/token-budgets.md). */
export const BUDGET_PERIODS = ["daily", "weekly", "monthly", "unlimited", "rolling"] as const;
/** The contract's closed `BudgetPeriod` list (the usage summary's `period`). */
export const CONTRACT_BUDGET_PERIODS = ["daily", "weekly", "monthly", "unlimited"] as const;

const id = z.string().min(1).max(200);
const nullableId = id.nullable();

/** The identity query of the token-budget reads (`user_id`, `org_id`, `team_id`, all optional). */
export const IdentityQuery = z.object({
  user_id: id.optional(),
  org_id: id.optional(),
  team_id: id.optional(),
});

/** Query of `GET /v1/token-budgets/usage-summary`: the identity plus the required `period` and `window_start`. */
export const UsageSummaryQuery = IdentityQuery.extend({
  period: z.enum(CONTRACT_BUDGET_PERIODS),
  window_start: z.string().datetime({ offset: true }),
});

/** The contract's `IdentityContext`. */
export const IdentityContextSchema = z
  .object({
    user_id: id.nullable().optional(),
    org_id: id.nullable().optional(),
    team_id: id.nullable().optional(),
  })
  .strict()
  .openapi("IdentityContext");

const IdentityOut = z.object({ user_id: nullableId, org_id: nullableId, team_id: nullableId });

/** The contract's `CreateTokenBudgetConfigRequest` (nested `identity`, as the contract has it), plus `rolling`. */
export const CreateTokenBudgetConfigRequestSchema = z
  .object({
    identity: IdentityContextSchema,
    period: z.enum(BUDGET_PERIODS),
    rolling: z
      .string()
      .regex(/^\d{1,6}[smhd]$/, 'expected a window length such as "1h"')
      .optional(),
    max_tokens: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
    max_cost_usd: z
      .string()
      .regex(/^\d{1,10}(\.\d{1,6})?$/, 'expected a non-negative decimal string such as "12.50"')
      .nullable()
      .optional(),
    allowed_models: z.array(z.string().min(1).max(200)).max(1000).nullable().optional(),
  })
  .strict()
  .openapi("CreateTokenBudgetConfigRequest");

/** The contract's `TokenBudgetConfig`, plus `rolling` and `created_at`. */
export const TokenBudgetConfigSchema = z
  .object({
    id: z.string(),
    identity: IdentityOut,
    period: z.enum(BUDGET_PERIODS),
    rolling: z.string().nullable(),
    max_tokens: z.number().int().nullable(),
    max_cost_usd: z.string().nullable(),
    allowed_models: z.array(z.string()).nullable(),
    created_at: z.string(),
  })
  .openapi("TokenBudgetConfig");

/** The contract's `TokenBudgetState`, plus the held reservations (`reserved_tokens`, `reserved_cost_usd`). */
export const TokenBudgetStateSchema = z
  .object({
    config_id: z.string(),
    identity: IdentityOut,
    period: z.enum(BUDGET_PERIODS),
    rolling: z.string().nullable(),
    window_start: z.string(),
    window_end: z.string(),
    used_tokens: z.number().int(),
    used_cost_usd: z.string(),
    reserved_tokens: z.number().int(),
    reserved_cost_usd: z.string(),
    remaining_tokens: z.number().int().nullable(),
    remaining_cost_usd: z.string().nullable(),
  })
  .openapi("TokenBudgetState");

/** The contract's `TokenUsageSummary` (`action_count` = settled calls). */
export const TokenUsageSummarySchema = z
  .object({
    identity: IdentityOut,
    period: z.enum(CONTRACT_BUDGET_PERIODS),
    window_start: z.string(),
    window_end: z.string(),
    total_input_tokens: z.number().int(),
    total_output_tokens: z.number().int(),
    total_tokens: z.number().int(),
    total_cost_usd: z.string(),
    model_breakdown: z.record(z.string(), z.number().int()),
    action_count: z.number().int(),
  })
  .openapi("TokenUsageSummary");

/** snake_case identity. */
export function toIdentityJson(i: TokenIdentity) {
  return { user_id: i.userId, org_id: i.orgId, team_id: i.teamId };
}

/** The contract's shape of a budget. */
export function toTokenBudgetJson(b: TokenBudgetView): z.infer<typeof TokenBudgetConfigSchema> {
  return {
    id: b.id,
    identity: toIdentityJson(b.identity),
    period: b.period,
    rolling: b.rolling,
    max_tokens: b.maxTokens,
    max_cost_usd: b.maxCost,
    allowed_models: b.allowedModels === null ? null : [...b.allowedModels],
    created_at: iso(b.createdAt),
  };
}

/** The contract's shape of a budget state. */
export function toTokenBudgetStateJson(s: TokenBudgetStateView): z.infer<typeof TokenBudgetStateSchema> {
  return {
    config_id: s.configId,
    identity: toIdentityJson(s.identity),
    period: s.period,
    rolling: s.rolling,
    window_start: iso(s.windowStart),
    window_end: iso(s.windowEnd),
    used_tokens: s.usedTokens,
    used_cost_usd: s.usedCost,
    reserved_tokens: s.reservedTokens,
    reserved_cost_usd: s.reservedCost,
    remaining_tokens: s.remainingTokens,
    remaining_cost_usd: s.remainingCost,
  };
}

/** The contract's shape of a usage summary. */
export function toUsageSummaryJson(u: TokenUsageSummaryView): z.infer<typeof TokenUsageSummarySchema> {
  return {
    identity: toIdentityJson(u.identity),
    period: u.period as (typeof CONTRACT_BUDGET_PERIODS)[number],
    window_start: iso(u.windowStart),
    window_end: iso(u.windowEnd),
    total_input_tokens: u.inputTokens,
    total_output_tokens: u.outputTokens,
    total_tokens: u.totalTokens,
    total_cost_usd: u.cost,
    model_breakdown: { ...u.byModel },
    action_count: u.calls,
  };
}
