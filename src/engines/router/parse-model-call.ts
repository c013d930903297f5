import { checkKnownKeys } from "../../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import type { ModelCall } from "../../types/model-call.js";
import { toMicros } from "../../types/money.js";

const KEYS: readonly string[] = ["model", "identity", "inputTokens", "outputTokens", "cost"];
const IDENTITY_KEYS: readonly string[] = ["userId", "orgId", "teamId"];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function tokens(value: unknown, path: string, issues: ValidationIssue[]): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  issues.push({ path, message: "required: expected a non-negative integer number of tokens" });
  return 0;
}

function identityField(
  identity: Record<string, unknown>,
  key: string,
  issues: ValidationIssue[],
): string | null {
  const v = identity[key];
  if (v === undefined || v === null) return null;
  if (typeof v === "string" && v.trim() !== "" && v.length <= 200) return v;
  issues.push({
    path: `model.identity.${key}`,
    message: "expected a non-empty string of at most 200 characters",
  });
  return null;
}

/**
 * Validates `ProposalInput.model` (see `ModelCallInput`), pushing every problem onto `issues` with its path
 * (`model.inputTokens`, `model.identity.orgId`, ...). Returns `null` when absent.
 */
export function parseModelCall(value: unknown, issues: ValidationIssue[]): ModelCall | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) {
    issues.push({
      path: "model",
      message: "expected a model call object { model, inputTokens, outputTokens }",
    });
    return null;
  }
  checkKnownKeys(value, KEYS, "model.", issues);
  const model = typeof value.model === "string" ? value.model.trim() : "";
  if (model === "" || model.length > 200)
    issues.push({ path: "model.model", message: "required: expected a model id of 1..200 characters" });
  const inputTokens = tokens(value.inputTokens, "model.inputTokens", issues);
  const outputTokens = tokens(value.outputTokens, "model.outputTokens", issues);
  let userId: string | null = null;
  let orgId: string | null = null;
  let teamId: string | null = null;
  if (value.identity !== undefined && value.identity !== null) {
    if (isObject(value.identity)) {
      checkKnownKeys(value.identity, IDENTITY_KEYS, "model.identity.", issues);
      userId = identityField(value.identity, "userId", issues);
      orgId = identityField(value.identity, "orgId", issues);
      teamId = identityField(value.identity, "teamId", issues);
    } else issues.push({ path: "model.identity", message: "expected an object { userId, orgId, teamId }" });
  }
  let costMicros: number | null = null;
  if (value.cost !== undefined && value.cost !== null) {
    try {
      costMicros = toMicros(value.cost as number | string, "model.cost");
    } catch (error) {
      if (error instanceof ValidationError) issues.push(...error.issues);
      else throw error;
    }
  }
  return { model, identity: { userId, orgId, teamId }, inputTokens, outputTokens, costMicros };
}
