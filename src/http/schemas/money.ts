import { z } from "@hono/zod-openapi";
import { ValidationError } from "../../errors/validation-error.js";
import { toMicros } from "../../types/money.js";

/** Money in a request: a non-negative decimal string (preferred) or a number; answered as a decimal string. */
export const MoneyInput = z
  .union([z.string().min(1).max(40), z.number().nonnegative()])
  .superRefine((value, ctx) => {
    // The one money rule (`toMicros`), so that a bad amount is a 422 naming the body field.
    try {
      toMicros(value, "");
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      ctx.addIssue({ code: "custom", message: error.issues[0]?.message ?? "invalid amount" });
    }
  })
  .openapi({
    description:
      'Amount in currency units: decimal string ("0.25", preferred) or number; ≥ 0, at most 6 decimals',
  });
