import { checkKnownKeys } from "../../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import { collectMicros } from "../../types/money.js";
import {
  TOKEN_BUDGET_PERIODS,
  type TokenBudgetConfigRecord,
  type TokenBudgetPeriod,
  type TokenIdentity,
} from "../../types/token-budget.js";
import { parseRollingWindow } from "./budget-window.js";

/** Identity fields as callers give them (`undefined`/`null` = not set). */
export interface TokenIdentityInput {
  readonly userId?: string | null | undefined;
  readonly orgId?: string | null | undefined;
  readonly teamId?: string | null | undefined;
}

/**
 * Input of `createTokenBudget`. At least one of `maxTokens`, `maxCost`, `allowedModels` makes it useful; none is
 * required (a budget without limits only records usage).
 * @example { identity: { orgId: "acme" }, period: "daily", maxTokens: 1_000_000, maxCost: "25" }
 * @example { identity: { userId: "u1" }, period: "rolling", rolling: "1h", maxTokens: 50_000 }
 */
export interface TokenBudgetInput {
  readonly identity?: TokenIdentityInput | undefined;
  readonly period: TokenBudgetPeriod;
  /** Length of a `rolling` window: `"90s"`, `"15m"`, `"1h"`, `"7d"` (required with `period: "rolling"`). */
  readonly rolling?: string | undefined;
  readonly maxTokens?: number | null | undefined;
  /** Cost limit in currency units (decimal string or number, 6 fractional digits at most). */
  readonly maxCost?: number | string | null | undefined;
  /** Allowed models; absent or `null` allows all, an empty list allows none. */
  readonly allowedModels?: readonly string[] | null | undefined;
}

const KEYS = ["identity", "period", "rolling", "maxTokens", "maxCost", "allowedModels"];

/** Validates one identity object (`path` names it), pushing problems. */
export function parseTokenIdentity(value: unknown, path: string, issues: ValidationIssue[]): TokenIdentity {
  const out = { userId: null as string | null, orgId: null as string | null, teamId: null as string | null };
  if (value === undefined || value === null) return out;
  if (typeof value !== "object" || Array.isArray(value)) {
    issues.push({ path, message: "expected an object { userId, orgId, teamId }" });
    return out;
  }
  checkKnownKeys(value, ["userId", "orgId", "teamId"], `${path}.`, issues);
  for (const key of ["userId", "orgId", "teamId"] as const) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || v === null) continue;
    if (typeof v === "string" && v.trim() !== "" && v.length <= 200) out[key] = v;
    else
      issues.push({
        path: `${path}.${key}`,
        message: "expected a non-empty string of at most 200 characters",
      });
  }
  return out;
}

/**
 * Validates a {@link TokenBudgetInput} into a record.
 * @throws ValidationError naming each bad field (`period`, `rolling`, `maxTokens`, `allowedModels[2]`, ...).
 */
export function parseBudgetConfig(input: unknown, id: string, now: number): TokenBudgetConfigRecord {
  const issues: ValidationIssue[] = [];
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new ValidationError(
      [{ path: "budget", message: "expected a token budget object" }],
      "token budget",
    );
  }
  const v = input as Record<string, unknown>;
  checkKnownKeys(v, KEYS, "", issues);
  const identity = parseTokenIdentity(v.identity, "identity", issues);
  const period = v.period as TokenBudgetPeriod;
  if (!TOKEN_BUDGET_PERIODS.includes(period)) {
    issues.push({
      path: "period",
      message: `expected one of ${TOKEN_BUDGET_PERIODS.join(", ")}`,
      received: v.period,
    });
  }
  let rollingMs: number | null = null;
  if (period === "rolling") {
    rollingMs = parseRollingWindow(v.rolling) ?? null;
    if (rollingMs === null) {
      issues.push({
        path: "rolling",
        message: 'expected a window length such as "1h" (1s to 366d)',
        received: v.rolling,
      });
    }
  } else if (v.rolling !== undefined) {
    issues.push({ path: "rolling", message: 'only allowed with period "rolling"' });
  }
  let maxTokens: number | null = null;
  if (v.maxTokens !== undefined && v.maxTokens !== null) {
    if (typeof v.maxTokens === "number" && Number.isSafeInteger(v.maxTokens) && v.maxTokens >= 0)
      maxTokens = v.maxTokens;
    else
      issues.push({ path: "maxTokens", message: "expected a non-negative integer", received: v.maxTokens });
  }
  const maxCostMicros = v.maxCost === null ? null : collectMicros(v.maxCost, "maxCost", issues);
  let allowedModels: string[] | null = null;
  if (v.allowedModels !== undefined && v.allowedModels !== null) {
    if (!Array.isArray(v.allowedModels) || v.allowedModels.length > 1000) {
      issues.push({ path: "allowedModels", message: "expected a list of at most 1000 model ids" });
    } else {
      allowedModels = [];
      v.allowedModels.forEach((m, i) => {
        if (typeof m === "string" && m.trim() !== "" && m.length <= 200) allowedModels!.push(m.trim());
        else
          issues.push({ path: `allowedModels[${i}]`, message: "expected a model id of 1..200 characters" });
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, "token budget");
  return { id, identity, period, rollingMs, maxTokens, maxCostMicros, allowedModels, createdAt: now };
}
