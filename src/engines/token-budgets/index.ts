export {
  type BudgetWindow,
  budgetWindow,
  formatRollingWindow,
  MAX_ROLLING_MS,
  parseRollingWindow,
  UNLIMITED_END,
  UNLIMITED_START,
} from "./budget-window.js";
export {
  parseBudgetConfig,
  parseTokenIdentity,
  type TokenBudgetInput,
  type TokenIdentityInput,
} from "./parse-budget-config.js";
export {
  type ModelPriceInput,
  type ModelPriceTable,
  priceTokens,
  type ResolvedPriceTable,
  resolvePriceTable,
} from "./price-table.js";
export {
  estimateCost,
  type ReserveTokensInput,
  reserveTokens,
  type TokenReservation,
} from "./reserve-tokens.js";
export {
  expireTokenReservations,
  releaseTokenReservation,
  settleTokens,
  type TokenSettlement,
  type TokenUsage,
} from "./settle-tokens.js";
