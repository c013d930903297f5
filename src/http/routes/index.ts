import type { HttpDeps, HttpRouter } from "../context.js";
import { registerEventContractRoutes } from "./events-contract.js";
import { registerHealthContractRoutes } from "./health-contract.js";
import { registerKillContractRoutes } from "./kill-contract.js";
import { registerSessionContractRoutes } from "./sessions-contract.js";
import { registerTicketContractRoutes } from "./tickets-contract.js";
import { registerTokenBudgetRoutes } from "./token-budgets.js";

/** Registers every `/v1` route (each group in its own file). */
export function registerRoutes(app: HttpRouter, deps: HttpDeps): void {
  registerSessionContractRoutes(app, deps);
  registerTicketContractRoutes(app, deps);
  registerEventContractRoutes(app, deps);
  registerHealthContractRoutes(app, deps);
  registerKillContractRoutes(app, deps);
  registerTokenBudgetRoutes(app, deps);
}
