import { checkKnownKeys } from "../../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import type { JsonObject } from "../../types/json.js";
import { checkJsonValue, DEFAULT_JSON_LIMITS, type JsonLimits } from "../../types/json-limits.js";
import { microsToUnits, toMicros } from "../../types/money.js";
import { normalizeAction, type Proposal } from "../../types/proposal.js";
import { parseModelCall } from "./parse-model-call.js";

const KEYS: readonly string[] = [
  "sessionId",
  "agentId",
  "action",
  "resourceId",
  "resourceType",
  "args",
  "cost",
  "metadata",
  "idempotencyKey",
  "model",
];

const EMPTY: JsonObject = Object.freeze({});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
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

function jsonObject(
  input: Record<string, unknown>,
  key: string,
  issues: ValidationIssue[],
  limits: JsonLimits,
): JsonObject {
  const v = input[key];
  if (v === undefined || v === null) return EMPTY;
  if (!isPlainObject(v)) {
    issues.push({ path: key, message: "expected a JSON object" });
    return EMPTY;
  }
  const issue = checkJsonValue(v, key, limits);
  if (issue) issues.push(issue);
  return v as JsonObject;
}

/**
 * Validates a proposal input (see `ProposalInput`) and normalises it into a {@link Proposal}: action trimmed and
 * lower-cased, absent optional ids as `null`, cost converted to micros (and units). Hand-written checks: it is on
 * the hot path.
 * `args` and `metadata` are checked against `limits` in linear time (cycles, depth, serialized size).
 * @throws ValidationError naming every bad field (`sessionId`, `args.items[2]`, `cost`, unknown keys).
 * @example parseProposal({ sessionId: "s1", action: " Deploy ", cost: "0.25" }).action // "deploy"
 */
export function parseProposal(input: unknown, limits: JsonLimits = DEFAULT_JSON_LIMITS): Proposal {
  if (!isPlainObject(input))
    throw new ValidationError([{ path: "", message: "expected a proposal object" }], "proposal");
  const issues: ValidationIssue[] = [];
  checkKnownKeys(input, KEYS, "", issues);
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
  const args = jsonObject(input, "args", issues, limits);
  const metadata = jsonObject(input, "metadata", issues, limits);
  let costMicros = 0;
  if (input.cost !== undefined && input.cost !== null) {
    try {
      costMicros = toMicros(input.cost, "cost");
    } catch (error) {
      if (error instanceof ValidationError) issues.push(...error.issues);
      else throw error;
    }
  }
  const model = parseModelCall(input.model, issues);
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
    model,
  };
}
