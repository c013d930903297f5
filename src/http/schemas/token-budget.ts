import { z } from "@hono/zod-openapi";

/** The contract's `BudgetPeriod`. */
export const BUDGET_PERIODS = ["daily", "weekly", "monthly", "unlimited"] as const;

const id = z.string().min(1).max(200);

/** The identity query of the token-budget reads (`user_id`, `org_id`, `team_id`, all optional). */
export const IdentityQuery = z.object({
  user_id: id.optional(),
  org_id: id.optional(),
  team_id: id.optional(),
});

/** Query of `GET /v1/token-budgets/usage-summary`: the identity plus the required `period` and `window_start`. */
export const UsageSummaryQuery = IdentityQuery.extend({
  period: z.enum(BUDGET_PERIODS),
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

/** The contract's `CreateTokenBudgetConfigRequest` (nested `identity`, as the contract has it). */
export const CreateTokenBudgetConfigRequestSchema = z
  .object({
    identity: IdentityContextSchema,
    period: z.enum(BUDGET_PERIODS),
    max_tokens: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
    max_cost_usd: z
      .string()
      .regex(/^\d{1,15}(\.\d{1,18})?$/, 'expected a non-negative decimal string such as "12.50"')
      .nullable()
      .optional(),
    allowed_models: z.array(z.string().min(1).max(200)).max(1000).nullable().optional(),
  })
  .strict()
  .openapi("CreateTokenBudgetConfigRequest");
