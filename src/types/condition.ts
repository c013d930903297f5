import { z } from "zod";
import type { JsonObject, JsonValue } from "./json.js";
import { RISK_LEVELS, type RiskLevel } from "./risk.js";

/** Comparison operators of a `risk` leaf (compares risk ranks: `low < medium < high < critical`). */
export const RISK_OPERATORS = ["eq", "ne", "lt", "le", "gt", "ge"] as const;
/** One of {@link RISK_OPERATORS}. */
export type RiskOperator = (typeof RISK_OPERATORS)[number];

/** Operators of a `field` leaf. */
export const FIELD_OPERATORS = [
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "in",
  "not_in",
  "contains",
  "matches",
  "exists",
] as const;
/** One of {@link FIELD_OPERATORS}. */
export type FieldOperator = (typeof FIELD_OPERATORS)[number];

/** Membership modes of an `actions` leaf. */
export const ACTION_MODES = ["in", "not_in"] as const;
/** One of {@link ACTION_MODES}. */
export type ActionMode = (typeof ACTION_MODES)[number];

/**
 * The key that identifies each kind of condition node. A node is an object with exactly one of these keys.
 * - `all` / `any` / `not`: composites (and / or / not).
 * - `risk`, `actions`, `resource`, `field`, `evaluator`: leaves.
 */
export const CONDITION_KINDS = [
  "all",
  "any",
  "not",
  "risk",
  "actions",
  "resource",
  "field",
  "evaluator",
] as const;
/** One of {@link CONDITION_KINDS}. */
export type ConditionKind = (typeof CONDITION_KINDS)[number];

/** Default maximum nesting depth of a condition tree (the root is depth 1). */
export const DEFAULT_MAX_CONDITION_DEPTH = 8;

/** A scalar a `field` leaf compares against. */
export type ConditionScalar = string | number | boolean | null;

/** `{ all: [...] }`: true when every child is true (short-circuit; empty → true). */
export interface AllCondition {
  readonly all: readonly ConditionNode[];
}
/** `{ any: [...] }`: true when some child is true (short-circuit; empty → false). */
export interface AnyCondition {
  readonly any: readonly ConditionNode[];
}
/** `{ not: {...} }`: negation. */
export interface NotCondition {
  readonly not: ConditionNode;
}
/** `{ risk: "medium", op: "le" }`: compares the proposal's risk level with `risk` (op default `eq`). */
export interface RiskCondition {
  readonly risk: RiskLevel;
  readonly op: RiskOperator;
}
/** `{ actions: ["deploy"], mode: "in" }`: action membership (exact match after normalisation). */
export interface ActionsCondition {
  readonly actions: readonly string[];
  readonly mode: ActionMode;
}
/** `{ resource: ["prod-*"] }`: the resource id matches one of the globs (`*`, `?`, case-insensitive). */
export interface ResourceCondition {
  readonly resource: string | readonly string[];
}
/** `{ field: "args.amount", op: "gt", value: 100 }`: compares a proposal field. */
export interface FieldCondition {
  readonly field: string;
  readonly op: FieldOperator;
  readonly value?: ConditionScalar | readonly ConditionScalar[] | undefined;
}
/** `{ evaluator: "deny-list", config: {...} }`: runs an evaluator (policy evaluator name or registered type). */
export interface EvaluatorCondition {
  readonly evaluator: string;
  readonly config?: JsonObject | undefined;
}

/** A condition tree node (see {@link CONDITION_KINDS}). */
export type ConditionNode =
  | AllCondition
  | AnyCondition
  | NotCondition
  | RiskCondition
  | ActionsCondition
  | ResourceCondition
  | FieldCondition
  | EvaluatorCondition;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Zod schema of an evaluator configuration: an object of JSON values (no functions, dates or class instances). */
export const jsonConfigSchema = z.record(
  z.string(),
  z.lazy(() => jsonValueSchema),
);

/** Zod schema of a JSON value (finite numbers only). */
export const jsonValueSchema: z.ZodType<JsonValue> = z
  .lazy(() =>
    z.union([
      z.string(),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(jsonValueSchema),
      z.record(z.string(), jsonValueSchema),
    ]),
  )
  .meta({ id: "JsonValue" });

/** Zod schema of a `risk` leaf (the shape only). */
export const riskConditionSchema = z.strictObject({
  risk: z.enum(RISK_LEVELS),
  op: z.enum(RISK_OPERATORS).default("eq"),
});
/** Zod schema of an `actions` leaf (the shape only). */
export const actionsConditionSchema = z.strictObject({
  actions: z.array(z.string().trim().min(1)),
  mode: z.enum(ACTION_MODES).default("in"),
});
/** Zod schema of a `resource` leaf (the shape only). */
export const resourceConditionSchema = z.strictObject({
  resource: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
});
/** Zod schema of a `field` leaf (the shape only; operator/value agreement is checked by the compiler). */
export const fieldConditionSchema = z.strictObject({
  field: z.string().min(1),
  op: z.enum(FIELD_OPERATORS),
  value: z.union([scalar, z.array(scalar)]).optional(),
});
/** Zod schema of an `evaluator` leaf (the shape only). */
export const evaluatorConditionSchema = z.strictObject({
  evaluator: z.string().min(1),
  config: jsonConfigSchema.optional(),
});

/** Leaf schemas by kind, used by the condition validator. */
export const LEAF_CONDITION_SCHEMAS = {
  risk: riskConditionSchema,
  actions: actionsConditionSchema,
  resource: resourceConditionSchema,
  field: fieldConditionSchema,
  evaluator: evaluatorConditionSchema,
} as const;

/**
 * Recursive zod schema of a whole condition tree. It is used to generate the JSON Schema for editors; loading
 * uses the condition validator (`validateCondition`), which gives precise, path-named errors and a depth limit.
 */
export const conditionSchema: z.ZodType<unknown> = z
  .union([
    z.strictObject({
      get all() {
        return z.array(conditionSchema);
      },
    }),
    z.strictObject({
      get any() {
        return z.array(conditionSchema);
      },
    }),
    z.strictObject({
      get not() {
        return conditionSchema;
      },
    }),
    riskConditionSchema,
    actionsConditionSchema,
    resourceConditionSchema,
    fieldConditionSchema,
    evaluatorConditionSchema,
  ])
  .meta({ id: "Condition", description: "A condition tree node: an object with exactly one kind key." });
