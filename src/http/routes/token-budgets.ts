import { createRoute, z } from "@hono/zod-openapi";
import type { TokenIdentityInput } from "../../engines/token-budgets/parse-budget-config.js";
import { ValidationError } from "../../errors/validation-error.js";
import { authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { httpError } from "../errors.js";
import { BEARER, errorResponses } from "../schemas/common.js";
import {
  CreateTokenBudgetConfigRequestSchema,
  IdentityQuery,
  TokenBudgetConfigSchema,
  TokenBudgetStateSchema,
  TokenUsageSummarySchema,
  toTokenBudgetJson,
  toTokenBudgetStateJson,
  toUsageSummaryJson,
  UsageSummaryQuery,
} from "../schemas/token-budget.js";

const common = { tags: ["Token Governance"], security: BEARER };
const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

const listConfigs = createRoute({
  ...common,
  method: "get",
  path: "/v1/token-budgets",
  operationId: "listTokenBudgetConfigs",
  summary: "List the token budgets that apply to an identity (subset rule); every budget without a query",
  request: { query: IdentityQuery },
  responses: {
    200: { description: "Token budget configs returned", content: json(z.array(TokenBudgetConfigSchema)) },
    ...errorResponses(401, 403, 422),
  },
});

const createConfig = createRoute({
  ...common,
  method: "post",
  path: "/v1/token-budgets",
  operationId: "createTokenBudgetConfig",
  summary: "Create a token budget (operator or admin)",
  request: { body: { required: true, content: json(CreateTokenBudgetConfigRequestSchema) } },
  responses: {
    201: { description: "Token budget config created", content: json(TokenBudgetConfigSchema) },
    ...errorResponses(401, 403, 422),
  },
});

const states = createRoute({
  ...common,
  method: "get",
  path: "/v1/token-budgets/states",
  operationId: "getTokenBudgetStates",
  summary: "Current window of every token budget that applies to an identity",
  request: { query: IdentityQuery },
  responses: {
    200: { description: "Budget states returned", content: json(z.array(TokenBudgetStateSchema)) },
    ...errorResponses(401, 403, 422),
  },
});

const usageSummary = createRoute({
  ...common,
  method: "get",
  path: "/v1/token-budgets/usage-summary",
  operationId: "getTokenUsageSummary",
  summary: "Ledger totals of an identity from window_start until now (404 when there is no usage)",
  request: { query: UsageSummaryQuery },
  responses: {
    200: { description: "Usage summary returned", content: json(TokenUsageSummarySchema) },
    ...errorResponses(401, 403, 404, 422),
  },
});

function identityOf(q: { user_id?: string; org_id?: string; team_id?: string }): TokenIdentityInput {
  return { userId: q.user_id ?? null, orgId: q.org_id ?? null, teamId: q.team_id ?? null };
}

/** Renames the facade's camelCase issue paths to the request's snake_case fields. */
function snakeIssues(error: unknown): never {
  if (error instanceof ValidationError) {
    const rename = (path: string) =>
      path
        .replace(/^identity\.userId/, "identity.user_id")
        .replace(/^identity\.orgId/, "identity.org_id")
        .replace(/^identity\.teamId/, "identity.team_id")
        .replace(/^maxTokens/, "max_tokens")
        .replace(/^maxCost/, "max_cost_usd")
        .replace(/^allowedModels/, "allowed_models");
    throw new ValidationError(
      error.issues.map((i) => ({ ...i, path: rename(i.path) })),
      "token budget",
    );
  }
  throw error;
}

/**
 * The contract's four token-budget paths: reads need `read` (viewer and up), creating needs
 * `token_budgets.manage` (operator, admin). Shapes follow the v1 contract; `rolling` and the reserved amounts are
 * additions (docs/http-api.md).
 */
export function registerTokenBudgetRoutes(app: HttpRouter, { controlPlane }: HttpDeps): void {
  app.openapi(listConfigs, async (c) => {
    authorize(c, "read");
    const q = c.req.valid("query");
    const given = q.user_id !== undefined || q.org_id !== undefined || q.team_id !== undefined;
    const budgets = await controlPlane.listTokenBudgets(given ? identityOf(q) : undefined);
    return c.json(budgets.map(toTokenBudgetJson), 200);
  });

  app.openapi(createConfig, async (c) => {
    authorize(c, "token_budgets.manage");
    const b = c.req.valid("json");
    const created = await controlPlane
      .createTokenBudget({
        identity: {
          userId: b.identity.user_id ?? null,
          orgId: b.identity.org_id ?? null,
          teamId: b.identity.team_id ?? null,
        },
        period: b.period,
        ...(b.rolling === undefined ? {} : { rolling: b.rolling }),
        maxTokens: b.max_tokens ?? null,
        maxCost: b.max_cost_usd ?? null,
        allowedModels: b.allowed_models ?? null,
      })
      .catch(snakeIssues);
    return c.json(toTokenBudgetJson(created), 201);
  });

  app.openapi(states, async (c) => {
    authorize(c, "read");
    const found = await controlPlane.tokenBudgetStates(identityOf(c.req.valid("query")));
    return c.json(found.map(toTokenBudgetStateJson), 200);
  });

  app.openapi(usageSummary, async (c) => {
    authorize(c, "read");
    const q = c.req.valid("query");
    const summary = await controlPlane.tokenUsageSummary({
      identity: identityOf(q),
      period: q.period,
      windowStart: Date.parse(q.window_start),
    });
    if (!summary) throw httpError("not_found", "no token usage for this identity since window_start");
    return c.json(toUsageSummaryJson(summary), 200);
  });
}
