import { checkKnownKeys } from "../../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import { collectMicros } from "../../types/money.js";
import { normalizeAction } from "../../types/proposal.js";
import type { ProposalRecord } from "../../types/proposal-record.js";
import type { ApprovalScope } from "../../types/ticket.js";

/**
 * How an approver scopes an approval. `once` (default) allows only the ticket's proposal. `session` also
 * allows later matching proposals of the same session without a human: `actions` defaults to the approved
 * proposal's action; the other limits are unset unless given.
 */
export interface ApprovalScopeInput {
  readonly kind?: "once" | "session";
  readonly actions?: readonly string[];
  readonly resourceIds?: readonly string[];
  /** Per-action maximum cost, in currency units. */
  readonly maxCostPerAction?: number | string;
  /** How many later proposals the scope may allow. */
  readonly maxUses?: number;
  /** Absolute expiry (ms since epoch). */
  readonly expiresAt?: number;
  /** Relative expiry from the decision time (ms). */
  readonly ttlMs?: number;
}

/** The keys of {@link ApprovalScopeInput}; any other key is an error. */
export const APPROVAL_SCOPE_KEYS: readonly string[] = [
  "kind",
  "actions",
  "resourceIds",
  "maxCostPerAction",
  "maxUses",
  "expiresAt",
  "ttlMs",
];

const ONCE: ApprovalScope = Object.freeze({
  kind: "once",
  actions: null,
  resourceIds: null,
  maxCostPerAction: null,
  remaining: null,
  expiresAt: null,
});

/**
 * Validates an approval scope and resolves it against the approved proposal.
 * @throws ValidationError naming each bad field (`scope.maxUses: expected a positive integer`).
 */
export function resolveApprovalScope(
  input: ApprovalScopeInput | undefined,
  proposal: ProposalRecord,
  now: number,
): ApprovalScope {
  if (input === undefined) return ONCE;
  const issues: ValidationIssue[] = [];
  if (input === null || typeof input !== "object") {
    throw new ValidationError([{ path: "scope", message: "expected an object" }]);
  }
  checkKnownKeys(input, APPROVAL_SCOPE_KEYS, "scope.", issues);
  const kind = input.kind ?? "once";
  if (kind !== "once" && kind !== "session")
    issues.push({ path: "scope.kind", message: 'expected "once" or "session"' });
  const strings = (value: unknown, path: string): string[] | null => {
    if (value === undefined) return null;
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v.trim() === "")) {
      issues.push({ path, message: "expected an array of non-empty strings" });
      return null;
    }
    return value as string[];
  };
  const actions = strings(input.actions, "scope.actions")?.map(normalizeAction) ?? null;
  const resourceIds = strings(input.resourceIds, "scope.resourceIds");
  const maxCostPerAction = collectMicros(input.maxCostPerAction, "scope.maxCostPerAction", issues);
  const positiveInt = (value: unknown, path: string): number | null => {
    if (value === undefined) return null;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      issues.push({ path, message: "expected a positive integer", received: value });
      return null;
    }
    return value;
  };
  const remaining = positiveInt(input.maxUses, "scope.maxUses");
  const ttl = positiveInt(input.ttlMs, "scope.ttlMs");
  const absolute = positiveInt(input.expiresAt, "scope.expiresAt");
  if (ttl !== null && absolute !== null) {
    issues.push({ path: "scope.ttlMs", message: "give either scope.ttlMs or scope.expiresAt, not both" });
  }
  if (issues.length > 0) throw new ValidationError(issues, "approval scope");
  if (kind === "once")
    return {
      kind,
      actions: null,
      resourceIds: null,
      maxCostPerAction: null,
      remaining: null,
      expiresAt: null,
    };
  return {
    kind,
    actions: actions ?? [proposal.action],
    resourceIds,
    maxCostPerAction,
    maxUses: remaining,
    remaining,
    expiresAt: ttl !== null ? now + ttl : absolute,
  };
}
