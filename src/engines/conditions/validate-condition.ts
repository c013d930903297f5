import type { ValidationIssue } from "../../errors/validation-error.js";
import {
  CONDITION_KINDS,
  type ConditionKind,
  type ConditionNode,
  type ConditionScalar,
  DEFAULT_MAX_CONDITION_DEPTH,
  type FieldCondition,
  LEAF_CONDITION_SCHEMAS,
} from "../../types/condition.js";
import type { JsonObject } from "../../types/json.js";
import { normalizeAction } from "../../types/proposal.js";
import { compileFieldPath } from "./field-path.js";
import { formatPath, fromZodIssues, type PathSegment, zodMessage } from "./issue-path.js";
import { compileSafeRegex } from "./safe-regex.js";

/** Where and how a condition tree may be used. */
export interface ConditionValidationOptions {
  /** Path of the tree's root in the enclosing document, for error messages. */
  readonly path?: readonly PathSegment[];
  /** Maximum nesting depth (root = 1). Default {@link DEFAULT_MAX_CONDITION_DEPTH}. */
  readonly maxDepth?: number;
  /** Whether `risk` leaves are allowed (not inside risk rules, which compute the risk). Default true. */
  readonly allowRisk?: boolean;
  /** Whether `evaluator` leaves are allowed (not inside risk rules, which are synchronous). Default true. */
  readonly allowEvaluators?: boolean;
}

/** An `evaluator` leaf found while validating, to be resolved against the policy and the registry. */
export interface EvaluatorReference {
  readonly path: string;
  readonly evaluator: string;
  readonly config: JsonObject | undefined;
}

/** The result of {@link validateCondition}: a normalised tree, or the problems found (never both). */
export type ConditionValidation =
  | { readonly ok: true; readonly node: ConditionNode; readonly evaluators: readonly EvaluatorReference[] }
  | {
      readonly ok: false;
      readonly issues: readonly ValidationIssue[];
      /** Evaluator leaves found in the valid parts, so that their references can be checked too. */
      readonly evaluators: readonly EvaluatorReference[];
    };

const KIND_SET: ReadonlySet<string> = new Set(CONDITION_KINDS);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function checkField(node: FieldCondition, path: readonly PathSegment[], issues: ValidationIssue[]): void {
  const getter = compileFieldPath(node.field);
  if (typeof getter === "string") issues.push({ path: formatPath([...path, "field"]), message: getter });
  const at = formatPath([...path, "value"]);
  const v = node.value;
  const isList = Array.isArray(v);
  switch (node.op) {
    case "eq":
    case "ne":
      if (v === undefined || isList)
        issues.push({ path: at, message: `operator "${node.op}" needs a scalar value` });
      break;
    case "lt":
    case "le":
    case "gt":
    case "ge":
      if (typeof v !== "number" && typeof v !== "string") {
        issues.push({ path: at, message: `operator "${node.op}" needs a number (or string) value` });
      }
      break;
    case "in":
    case "not_in":
      if (!isList) issues.push({ path: at, message: `operator "${node.op}" needs a list value` });
      break;
    case "contains":
      if (v === undefined || v === null || isList) {
        issues.push({ path: at, message: 'operator "contains" needs a string, number or boolean value' });
      }
      break;
    case "matches":
      if (typeof v !== "string")
        issues.push({ path: at, message: 'operator "matches" needs a regular expression string' });
      else {
        const compiled = compileSafeRegex(v);
        if (typeof compiled === "string") issues.push({ path: at, message: compiled });
      }
      break;
    case "exists":
      if (v !== undefined && typeof v !== "boolean")
        issues.push({ path: at, message: 'operator "exists" takes true or false' });
      break;
  }
}

/**
 * Validates and normalises a condition tree loaded from JSON/YAML. Every problem is reported with its path
 * (`autoApprove.when.all[1].op: expected "eq" | ...`); action names are normalised; leaf defaults are filled in.
 * @example
 * const r = validateCondition({ all: [{ field: "args.amount", op: "le", value: 100 }] }, { path: ["when"] });
 * if (!r.ok) console.log(r.issues);
 */
export function validateCondition(raw: unknown, options?: ConditionValidationOptions): ConditionValidation {
  const issues: ValidationIssue[] = [];
  const evaluators: EvaluatorReference[] = [];
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_CONDITION_DEPTH;
  const allowRisk = options?.allowRisk !== false;
  const allowEvaluators = options?.allowEvaluators !== false;

  const visit = (value: unknown, path: readonly PathSegment[], depth: number): ConditionNode | undefined => {
    const here = formatPath(path);
    if (depth > maxDepth) {
      issues.push({ path: here, message: `condition tree is deeper than ${maxDepth} levels` });
      return undefined;
    }
    if (!isPlainObject(value)) {
      issues.push({
        path: here,
        message: `expected a condition object with one of the keys ${CONDITION_KINDS.join(", ")}`,
      });
      return undefined;
    }
    const kinds = Object.keys(value).filter((k) => KIND_SET.has(k)) as ConditionKind[];
    if (kinds.length !== 1) {
      issues.push({
        path: here,
        message:
          kinds.length === 0
            ? `expected one of the keys ${CONDITION_KINDS.join(", ")}; got ${Object.keys(value).join(", ") || "an empty object"}`
            : `ambiguous condition: keys ${kinds.join(" and ")} cannot be combined in one node`,
      });
      return undefined;
    }
    const kind = kinds[0]!;
    if (kind === "all" || kind === "any") {
      const extra = Object.keys(value).filter((k) => k !== kind);
      for (const k of extra) issues.push({ path: formatPath([...path, k]), message: "unknown key" });
      const children = value[kind];
      if (!Array.isArray(children)) {
        issues.push({ path: formatPath([...path, kind]), message: "expected a list of conditions" });
        return undefined;
      }
      const out = children.map((c, i) => visit(c, [...path, kind, i], depth + 1));
      return kind === "all" ? { all: out as ConditionNode[] } : { any: out as ConditionNode[] };
    }
    if (kind === "not") {
      for (const k of Object.keys(value)) {
        if (k !== "not") issues.push({ path: formatPath([...path, k]), message: "unknown key" });
      }
      const inner = visit(value.not, [...path, "not"], depth + 1);
      return inner && { not: inner };
    }
    if (kind === "risk" && !allowRisk) {
      issues.push({ path: here, message: "a risk leaf cannot be used here (risk rules compute the risk)" });
      return undefined;
    }
    if (kind === "evaluator" && !allowEvaluators) {
      issues.push({
        path: here,
        message: "an evaluator leaf cannot be used here (risk rules are synchronous)",
      });
      return undefined;
    }
    const parsed = LEAF_CONDITION_SCHEMAS[kind].safeParse(value, { error: zodMessage });
    if (!parsed.success) {
      issues.push(...fromZodIssues(parsed.error.issues, path));
      return undefined;
    }
    const leaf = parsed.data as ConditionNode;
    if ("actions" in leaf) return { actions: leaf.actions.map(normalizeAction), mode: leaf.mode };
    if ("field" in leaf) checkField(leaf, path, issues);
    if ("evaluator" in leaf) {
      evaluators.push({
        path: here,
        evaluator: leaf.evaluator,
        config: leaf.config as JsonObject | undefined,
      });
    }
    return leaf;
  };

  const node = visit(raw, options?.path ?? [], 1);
  if (issues.length > 0 || node === undefined) return { ok: false, issues, evaluators };
  return { ok: true, node, evaluators };
}

/** The scalar values of a `field` leaf's list value (for `in` / `not_in`). */
export function listValue(node: FieldCondition): readonly ConditionScalar[] {
  return Array.isArray(node.value) ? (node.value as readonly ConditionScalar[]) : [];
}
