import type { HttpDeps, HttpRouter } from "../context.js";
import { registerSessionContractRoutes } from "./sessions-contract.js";
import { registerTokenRoutes } from "./tokens.js";

/** Registers every `/v1` route (each group in its own file). */
export function registerRoutes(app: HttpRouter, deps: HttpDeps): void {
  registerSessionContractRoutes(app, deps);
  registerTokenRoutes(app, deps);
}
