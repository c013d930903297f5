import type { ApprovalScope } from "../types/ticket.js";

/** A request to use an allow-for-session scope. Money in micros, time in ms. */
export interface ScopeRequest {
  readonly action: string;
  readonly resourceId: string | null;
  readonly cost: number;
  readonly now: number;
}

/**
 * True if an approved `session` scope covers the request: the action and resource are listed (when lists are
 * set), the cost is within the per-action maximum, the scope has not expired and has uses left.
 * Adapters that match scopes in code (memory) use it; SQL adapters express the same predicate in SQL.
 */
export function scopeCovers(scope: ApprovalScope | null, req: ScopeRequest): boolean {
  if (scope?.kind !== "session") return false;
  if (scope.actions !== null && !scope.actions.includes(req.action)) return false;
  if (
    scope.resourceIds !== null &&
    (req.resourceId === null || !scope.resourceIds.includes(req.resourceId))
  ) {
    return false;
  }
  if (scope.maxCostPerAction !== null && req.cost > scope.maxCostPerAction) return false;
  if (scope.expiresAt !== null && scope.expiresAt <= req.now) return false;
  if (scope.remaining !== null && scope.remaining <= 0) return false;
  return true;
}
