import { checkKnownKeys } from "../../errors/unknown-keys.js";
import type { ValidationIssue } from "../../errors/validation-error.js";
import { collectMicros } from "../../types/money.js";

/** Prices of one model, in currency units per million tokens (decimal strings or numbers, 6 digits at most). */
export interface ModelPriceInput {
  readonly inputPerMillionTokens: number | string;
  readonly outputPerMillionTokens: number | string;
}

/**
 * The `modelPrices` option: model id → prices. Turns a model call's tokens into a cost when the caller gives none.
 * @example { "gpt-4o": { inputPerMillionTokens: "2.5", outputPerMillionTokens: "10" } }
 */
export type ModelPriceTable = Readonly<Record<string, ModelPriceInput>>;

/** A validated price table: micro-units per million tokens. */
export type ResolvedPriceTable = ReadonlyMap<string, { readonly input: number; readonly output: number }>;

/**
 * Validates a price table, pushing each problem with its path (`modelPrices.gpt-4o.inputPerMillionTokens`).
 */
export function resolvePriceTable(
  value: unknown,
  path: string,
  issues: ValidationIssue[],
): ResolvedPriceTable {
  const table = new Map<string, { input: number; output: number }>();
  if (value === undefined) return table;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    issues.push({ path, message: "expected an object mapping model ids to prices" });
    return table;
  }
  for (const [model, price] of Object.entries(value as Record<string, unknown>)) {
    const at = `${path}.${model}`;
    if (model.trim() === "" || model.length > 200) {
      issues.push({ path: at, message: "expected a model id of 1..200 characters" });
      continue;
    }
    if (price === null || typeof price !== "object" || Array.isArray(price)) {
      issues.push({ path: at, message: "expected { inputPerMillionTokens, outputPerMillionTokens }" });
      continue;
    }
    checkKnownKeys(price, ["inputPerMillionTokens", "outputPerMillionTokens"], `${at}.`, issues);
    const p = price as Record<string, unknown>;
    const input = collectMicros(p.inputPerMillionTokens, `${at}.inputPerMillionTokens`, issues);
    const output = collectMicros(p.outputPerMillionTokens, `${at}.outputPerMillionTokens`, issues);
    if (p.inputPerMillionTokens === undefined)
      issues.push({ path: `${at}.inputPerMillionTokens`, message: "required: a price per million tokens" });
    if (p.outputPerMillionTokens === undefined)
      issues.push({ path: `${at}.outputPerMillionTokens`, message: "required: a price per million tokens" });
    if (input !== null && output !== null) table.set(model.trim(), { input, output });
  }
  return table;
}

/**
 * Prices tokens with the table, in micros rounded up (never under-reserves). `undefined` when the model has no
 * price.
 * @example priceTokens(table, "gpt-4o", 1000, 500) // 7500 (0.0075 units at 2.5 / 10 per million)
 */
export function priceTokens(
  table: ResolvedPriceTable,
  model: string,
  inputTokens: number,
  outputTokens: number,
): number | undefined {
  const price = table.get(model);
  if (!price) return undefined;
  const forInput = inputTokens * price.input;
  const forOutput = outputTokens * price.output;
  const exact = forInput + forOutput + 999_999;
  if (
    Number.isSafeInteger(inputTokens) &&
    Number.isSafeInteger(outputTokens) &&
    Number.isSafeInteger(forInput) &&
    Number.isSafeInteger(forOutput) &&
    exact >= 0 &&
    exact <= Number.MAX_SAFE_INTEGER - 1_000_000
  ) {
    // Every operand and product is an exact integer here: floor the quotient, then correct a rounding of the
    // division by one (the BigInt path below gives the same result for every larger value).
    let q = Math.floor(exact / 1_000_000);
    if (q * 1_000_000 > exact) q -= 1;
    else if ((q + 1) * 1_000_000 <= exact) q += 1;
    return q;
  }
  const total = BigInt(inputTokens) * BigInt(price.input) + BigInt(outputTokens) * BigInt(price.output);
  return Number((total + 999_999n) / 1_000_000n);
}
