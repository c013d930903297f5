export { type BudgetView, budgetFits, budgetView, reserveBudget, settleBudget } from "./budget-tracker.js";
