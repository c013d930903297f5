import { z } from "@hono/zod-openapi";
import type { ApprovalScopeInput } from "../../engines/approvals/approval-scope.js";
import { ValidationError } from "../../errors/validation-error.js";

const DECIMAL = /^\d{1,15}(\.\d{1,18})?$/;

/**
 * The contract's `ApproveTicketRequest`, plus our `scope_actions`. `decided_by` is accepted for compatibility
 * with clients of the original and ignored: the decision is recorded under the authenticated principal's name.
 */
export const ApproveTicketRequestSchema = z
  .object({
    decided_by: z
      .string()
      .max(200)
      .optional()
      .openapi({ description: "Ignored: the principal's name is recorded as decided_by" }),
    reason: z.string().max(2000).nullable().optional(),
    decision_type: z.enum(["allow_once", "allow_for_session"]).optional(),
    scope_resource_ids: z.array(z.string().min(1).max(500)).max(1000).optional(),
    scope_max_cost: z
      .string()
      .regex(DECIMAL, 'expected a non-negative decimal string such as "12.50"')
      .nullable()
      .optional()
      .openapi({ description: "Per-action maximum cost, decimal serialized as string" }),
    scope_max_action_count: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
    scope_expiry: z.string().datetime({ offset: true }).nullable().optional(),
    scope_actions: z
      .array(z.string().min(1).max(200))
      .max(1000)
      .optional()
      .openapi({ description: "Our extension: actions the session scope covers (default: the ticket's)" }),
  })
  .strict()
  .openapi("ApproveTicketRequest");

/** The contract's `DenyTicketRequest`. */
export const DenyTicketRequestSchema = z
  .object({ reason: z.string().max(2000).optional() })
  .strict()
  .openapi("DenyTicketRequest");

/** The validated body of an approve request. */
export type ApproveTicketBody = z.infer<typeof ApproveTicketRequestSchema>;

/**
 * Maps the approve body onto the facade's approval scope: `decision_type` allow_once|allow_for_session → kind
 * once|session, `scope_max_action_count` → `maxUses`, `scope_expiry` → `expiresAt`. No scope field at all ⇒
 * `undefined` (the facade's default scope `once`).
 */
export function toApprovalScope(body: ApproveTicketBody): ApprovalScopeInput | undefined {
  const scope: { -readonly [K in keyof ApprovalScopeInput]: ApprovalScopeInput[K] } = {};
  if (body.decision_type !== undefined) scope.kind = body.decision_type === "allow_once" ? "once" : "session";
  if (body.scope_actions !== undefined) scope.actions = body.scope_actions;
  if (body.scope_resource_ids !== undefined) scope.resourceIds = body.scope_resource_ids;
  if (body.scope_max_cost != null) scope.maxCostPerAction = body.scope_max_cost;
  if (body.scope_max_action_count != null) scope.maxUses = body.scope_max_action_count;
  if (body.scope_expiry != null) scope.expiresAt = Date.parse(body.scope_expiry);
  return Object.keys(scope).length === 0 ? undefined : scope;
}

/** Facade field paths of a decision → the body fields of the contract. */
const BODY_FIELD: Readonly<Record<string, string>> = {
  reason: "body.reason",
  "scope.kind": "body.decision_type",
  "scope.actions": "body.scope_actions",
  "scope.resourceIds": "body.scope_resource_ids",
  "scope.maxCostPerAction": "body.scope_max_cost",
  "scope.maxUses": "body.scope_max_action_count",
  "scope.expiresAt": "body.scope_expiry",
};

/**
 * Re-throws a facade `ValidationError` with its issue paths renamed to the request's body fields, so a 422
 * names `body.scope_max_cost` rather than the facade's `scope.maxCostPerAction`. Other errors pass unchanged.
 */
export function renameDecisionIssues(error: unknown): never {
  if (!(error instanceof ValidationError)) throw error;
  throw new ValidationError(
    error.issues.map((i) => {
      const key = Object.keys(BODY_FIELD).find((k) => i.path === k || i.path.startsWith(`${k}[`));
      return key === undefined ? i : { ...i, path: BODY_FIELD[key] + i.path.slice(key.length) };
    }),
    "request body",
  );
}
