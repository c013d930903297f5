import { createRoute } from "@hono/zod-openapi";
import type { HttpDeps, HttpRouter } from "../context.js";
import { httpError } from "../errors.js";
import { BEARER, errorResponses } from "../schemas/common.js";
import {
  CreateTokenBudgetConfigRequestSchema,
  IdentityQuery,
  UsageSummaryQuery,
} from "../schemas/token-budget.js";

const NOTE =
  " — not implemented yet (token budgets come with their own issue): answers 501 in the envelope after " +
  "authentication and validation";

const common = { tags: ["Token Governance"], security: BEARER };
const answers = errorResponses(401, 422, 501);

const listConfigs = createRoute({
  ...common,
  method: "get",
  path: "/v1/token-budgets",
  operationId: "listTokenBudgetConfigs",
  summary: `List token budget configs for an identity${NOTE}`,
  request: { query: IdentityQuery },
  responses: answers,
});

const createConfig = createRoute({
  ...common,
  method: "post",
  path: "/v1/token-budgets",
  operationId: "createTokenBudgetConfig",
  summary: `Create a token budget config${NOTE}`,
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: CreateTokenBudgetConfigRequestSchema } },
    },
  },
  responses: answers,
});

const states = createRoute({
  ...common,
  method: "get",
  path: "/v1/token-budgets/states",
  operationId: "getTokenBudgetStates",
  summary: `Get current budget states for an identity${NOTE}`,
  request: { query: IdentityQuery },
  responses: answers,
});

const usageSummary = createRoute({
  ...common,
  method: "get",
  path: "/v1/token-budgets/usage-summary",
  operationId: "getTokenUsageSummary",
  summary: `Get aggregated usage summary for an identity${NOTE}`,
  request: { query: UsageSummaryQuery },
  responses: answers,
});

function notImplemented(): never {
  throw httpError("not_implemented", "token budgets are not implemented yet", { feature: "token_budgets" });
}

/**
 * The contract's four token-budget paths. Until the token-budget issue lands they authenticate (any role),
 * validate their query or body (422 naming the field) and answer 501 `not_implemented` in the envelope.
 */
export function registerTokenBudgetRoutes(app: HttpRouter, _deps: HttpDeps): void {
  app.openapi(listConfigs, notImplemented);
  app.openapi(createConfig, notImplemented);
  app.openapi(states, notImplemented);
  app.openapi(usageSummary, notImplemented);
}
