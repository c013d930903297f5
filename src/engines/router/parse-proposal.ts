import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import type { JsonObject } from "../../types/json.js";
import { microsToUnits, toMicros } from "../../types/money.js";
import { normalizeAction, type Proposal } from "../../types/proposal.js";

const KEYS: ReadonlySet<string> = new Set([
  "sessionId",
  "agentId",
  "action",
  "resourceId",
  "resourceType",
  "args",
  "cost",
  "metadata",
  "idempotencyKey",
]);

const EMPTY: JsonObject = Object.freeze({});
const MAX_DEPTH = 64;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkJson(value: unknown, path: string, issues: ValidationIssue[], depth: number): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) issues.push({ path, message: "expected a finite number" });
    return;
  }
  if (depth > MAX_DEPTH) {
    issues.push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJson(value[i], `${path}[${i}]`, issues, depth + 1);
    return;
  }
  if (isPlainObject(value)) {
    for (const key in value) checkJson(value[key], `${path}.${key}`, issues, depth + 1);
    return;
  }
  issues.push({
    path,
    message: `expected a JSON value, got ${value === undefined ? "undefined" : typeof value}`,
  });
}

function optionalString(
  input: Record<string, unknown>,
  key: string,
  issues: ValidationIssue[],
): string | null {
  const v = input[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string" || v.trim() === "") {
    issues.push({ path: key, message: "expected a non-empty string" });
    return null;
  }
  return v;
}

function jsonObject(input: Record<string, unknown>, key: string, issues: ValidationIssue[]): JsonObject {
  const v = input[key];
  if (v === undefined || v === null) return EMPTY;
  if (!isPlainObject(v)) {
    issues.push({ path: key, message: "expected a JSON object" });
    return EMPTY;
  }
  checkJson(v, key, issues, 1);
  return v as JsonObject;
}

/**
 * Validates a proposal input (see `ProposalInput`) and normalises it into a {@link Proposal}: action trimmed and
 * lower-cased, absent optional ids as `null`, cost converted to micros (and units). Hand-written checks: it is on
 * the hot path.
 * @throws ValidationError naming every bad field (`sessionId`, `args.items[2]`, `cost`, unknown keys).
 * @example parseProposal({ sessionId: "s1", action: " Deploy ", cost: "0.25" }).action // "deploy"
 */
export function parseProposal(input: unknown): Proposal {
  if (!isPlainObject(input))
    throw new ValidationError([{ path: "", message: "expected a proposal object" }], "proposal");
  const issues: ValidationIssue[] = [];
  for (const key in input) if (!KEYS.has(key)) issues.push({ path: key, message: "unknown key" });
  const { sessionId, action } = input;
  if (typeof sessionId !== "string" || sessionId.trim() === "") {
    issues.push({ path: "sessionId", message: "required: expected a non-empty string" });
  }
  const normalized = typeof action === "string" ? normalizeAction(action) : "";
  if (normalized === "") {
    issues.push({ path: "action", message: "required: expected a non-empty string" });
  }
  const agentId = optionalString(input, "agentId", issues);
  const resourceId = optionalString(input, "resourceId", issues);
  const resourceType = optionalString(input, "resourceType", issues);
  optionalString(input, "idempotencyKey", issues);
  const args = jsonObject(input, "args", issues);
  const metadata = jsonObject(input, "metadata", issues);
  let costMicros = 0;
  if (input.cost !== undefined && input.cost !== null) {
    try {
      costMicros = toMicros(input.cost, "cost");
    } catch (error) {
      if (error instanceof ValidationError) issues.push(...error.issues);
      else throw error;
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, "proposal");
  return {
    sessionId: sessionId as string,
    agentId,
    action: normalized,
    resourceId,
    resourceType,
    args,
    costMicros,
    cost: microsToUnits(costMicros),
    metadata,
  };
}
