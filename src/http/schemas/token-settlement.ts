import { z } from "@hono/zod-openapi";
import type { TokenSettlementView } from "../../control-plane/token-budget-api.js";
import { MoneyInput } from "./money.js";

const tokenCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Body of `POST /v1/token-reservations/{reservation_id}/settle`: the actual usage of the model call. */
export const SettleTokensBody = z
  .object({
    input_tokens: tokenCount.openapi({ description: "Actual input (prompt) tokens" }),
    output_tokens: tokenCount.openapi({ description: "Actual output (completion) tokens" }),
    cost: MoneyInput.optional().openapi({
      description:
        "Actual cost; absent: the price table prices the tokens, else the reserved estimate stands",
    }),
  })
  .strict()
  .openapi("SettleTokensRequest");

/** What a settlement recorded (money as a decimal string). */
export const TokenSettlementSchema = z
  .object({
    reservation_id: z.string(),
    total_tokens: z.number().int(),
    cost: z.string(),
    exhausted: z.array(z.string()).openapi({
      description: "Ids of the token budgets whose window reached a limit with this usage",
    }),
  })
  .openapi("TokenSettlement");

/** Maps the facade's settlement to {@link TokenSettlementSchema}. */
export function toSettlementJson(s: TokenSettlementView): z.infer<typeof TokenSettlementSchema> {
  return {
    reservation_id: s.reservationId,
    total_tokens: s.totalTokens,
    cost: s.cost,
    exhausted: [...s.exhausted],
  };
}
