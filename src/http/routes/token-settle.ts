import { createRoute, z } from "@hono/zod-openapi";
import { ValidationError } from "../../errors/validation-error.js";
import { assertOwnSession, authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { BEARER, errorResponses } from "../schemas/common.js";
import { SettleTokensBody, TokenSettlementSchema, toSettlementJson } from "../schemas/token-settlement.js";

const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

const settle = createRoute({
  method: "post",
  path: "/v1/token-reservations/{reservation_id}/settle",
  operationId: "settleTokenReservation",
  tags: ["Token Governance"],
  summary:
    "Record the actual usage of an allowed model call (the decision's token_reservation_id), once; 409 when settled",
  security: BEARER,
  request: {
    params: z.object({ reservation_id: z.string().min(1).max(200) }),
    body: { required: true, content: json(SettleTokensBody) },
  },
  responses: {
    200: { description: "The settlement", content: json(TokenSettlementSchema) },
    ...errorResponses(401, 403, 404, 409, 422),
  },
});

const SNAKE: Readonly<Record<string, string>> = {
  "usage.inputTokens": "body.input_tokens",
  "usage.outputTokens": "body.output_tokens",
  "usage.cost": "body.cost",
  reservationId: "param.reservation_id",
};

/** Re-throws a facade ValidationError with its paths in the request's words (`body.input_tokens`). */
function snakeIssues(error: unknown): never {
  if (!(error instanceof ValidationError)) throw error;
  throw new ValidationError(
    error.issues.map((i) => ({ ...i, path: SNAKE[i.path] ?? i.path })),
    "token usage",
  );
}

/**
 * `POST /v1/token-reservations/{reservation_id}/settle` → `settleTokens`. An agent token settles only the
 * reservations of its own sessions (`act.own`, 403 for another agent's); an operator or admin
 * (`token_budgets.manage`) settles any.
 */
export function registerTokenSettleRoutes(app: HttpRouter, { controlPlane: cp }: HttpDeps): void {
  app.openapi(settle, async (c) => {
    const principal = authorize(c, "act.own", "token_budgets.manage");
    const id = c.req.valid("param").reservation_id;
    if (principal.role === "agent") {
      const reservation = await cp.getTokenReservation(id);
      await assertOwnSession(cp, principal, reservation.sessionId, `token reservation ${id}`);
    }
    const b = c.req.valid("json");
    const done = await cp
      .settleTokens(id, {
        inputTokens: b.input_tokens,
        outputTokens: b.output_tokens,
        ...(b.cost === undefined ? {} : { cost: b.cost }),
      })
      .catch(snakeIssues);
    return c.json(toSettlementJson(done), 200);
  });
}
