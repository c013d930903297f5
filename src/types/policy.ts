import { z } from "zod";
import { type ConditionNode, conditionSchema, jsonConfigSchema } from "./condition.js";
import type { JsonObject } from "./json.js";
import { type ModelsPolicy, modelsPolicySchema } from "./model-governance.js";
import { RISK_LEVELS, type RiskLevel } from "./risk.js";
import { type SessionRiskPolicy, sessionRiskPolicySchema } from "./session-risk.js";

/** Execution modes: `dry_run` policies may auto-approve more (see `autoApprove.dryRunOnly`). */
export const EXECUTION_MODES = ["live", "dry_run"] as const;
/** One of {@link EXECUTION_MODES}. */
export type ExecutionMode = (typeof EXECUTION_MODES)[number];

/** What happens to an action in no list: deny (default, fail closed), ask a human, or decide by risk. */
export const UNLISTED_MODES = ["deny", "approve", "risk"] as const;
/** One of {@link UNLISTED_MODES}. */
export type UnlistedMode = (typeof UNLISTED_MODES)[number];

/** Risk classifiers selectable in a policy file (a host may also pass its own function to `loadPolicy`). */
export const RISK_CLASSIFIERS = ["rules", "weighted"] as const;
/** One of {@link RISK_CLASSIFIERS}. */
export type RiskClassifierName = (typeof RISK_CLASSIFIERS)[number];

/** Asset scopes: `matched_only` blocks proposals whose resource matches no `assets.patterns` glob. */
export const ASSET_SCOPES = ["all", "matched_only"] as const;
/** One of {@link ASSET_SCOPES}. */
export type AssetScope = (typeof ASSET_SCOPES)[number];

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration: `"250ms"`, `"30s"`, `"15m"`, `"1h"`, `"2d"` or a number of milliseconds. */
export type Duration = string | number;

/**
 * Parses a {@link Duration} into milliseconds; `undefined` when it is not one.
 * @example parseDuration("15m") // 900000
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const m = DURATION.exec(value.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

const DURATION_MESSAGE = 'expected a duration like "15m", "1h", "30s", "250ms" or a number of milliseconds';

/** Zod schema of a {@link Duration}. */
export const durationSchema = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== undefined, {
    error: DURATION_MESSAGE,
    abort: true,
  })
  .meta({ description: 'A duration: "250ms", "30s", "15m", "1h", "2d" or a number of milliseconds.' });

const actionName = z.string().trim().min(1);
const riskLevel = z.enum(RISK_LEVELS);

/**
 * What happens when an approval ticket reaches its deadline: `deny` expires it (its proposal is denied as
 * expired), `escalate` moves it along `approvals.escalation` (and expires it after the last step), `wait` keeps it
 * pending until someone decides.
 */
export const APPROVAL_TIMEOUT_MODES = ["deny", "escalate", "wait"] as const;
/** One of {@link APPROVAL_TIMEOUT_MODES}. */
export type ApprovalTimeoutMode = (typeof APPROVAL_TIMEOUT_MODES)[number];

const positiveDuration = durationSchema.refine((v) => (parseDuration(v) ?? 0) > 0, {
  error: "expected a duration greater than zero",
});

/**
 * Builds the zod schema of a policy document. `condition` is the schema used where a condition tree goes:
 * {@link conditionSchema} for the editor JSON Schema, a pass-through when the loader validates trees itself.
 * Every object is strict (unknown keys are errors); add a key by adding one line to its object.
 */
export function buildPolicySchema(condition: z.ZodType<unknown>) {
  return z.strictObject({
    version: z.literal(1),
    name: z.string().optional(),
    description: z.string().optional(),
    executionMode: z.enum(EXECUTION_MODES).default("live"),
    actions: z
      .strictObject({
        blocked: z.array(actionName).default([]),
        alwaysApprove: z.array(actionName).default([]),
        autoApprove: z.array(actionName).default([]),
        steer: z.array(actionName).default([]),
        unrestricted: z.array(actionName).default([]),
        unlisted: z.enum(UNLISTED_MODES).default("deny"),
      })
      .prefault({}),
    steering: z
      .strictObject({
        maxRetries: z.number().int().min(0).max(100).default(3),
        guidance: z.string().min(1).optional(),
        suggestedActions: z.array(actionName).optional(),
      })
      .prefault({}),
    risk: z
      .strictObject({
        classifier: z.enum(RISK_CLASSIFIERS).default("rules"),
        default: riskLevel.default("low"),
        rules: z
          .array(z.strictObject({ name: z.string().optional(), when: condition, level: riskLevel }))
          .default([]),
        weighted: z
          .strictObject({
            weightField: z.string().min(1).default("metadata.weight"),
            scoreField: z.string().min(1).default("metadata.score"),
            maxAutoWeight: z.number().default(2.5),
            minAutoScore: z.number().default(0.7),
            highWeight: z.number().default(5),
            highScoreBelow: z.number().default(0.5),
          })
          .optional(),
      })
      .prefault({}),
    assets: z
      .strictObject({
        patterns: z.array(z.string().min(1)).default([]),
        scope: z.enum(ASSET_SCOPES).default("all"),
      })
      .prefault({}),
    autoApprove: z
      .strictObject({
        maxRisk: riskLevel.default("low"),
        dryRunOnly: z.boolean().default(false),
        when: condition.optional(),
      })
      .prefault({}),
    evaluators: z
      .array(
        z.strictObject({
          name: z.string().trim().min(1),
          type: z.string().trim().min(1),
          config: jsonConfigSchema.default({}),
          timeoutMs: z.number().int().min(1).max(600_000).default(1000),
        }),
      )
      .default([]),
    redact: z.array(z.string().min(1)).optional().meta({
      description:
        'Proposal fields stored as "[redacted]" (args.* or metadata.* paths, e.g. args.password); decisions still see the real values.',
    }),
    approvals: z
      .strictObject({
        timeout: positiveDuration.default("1h"),
        onTimeout: z.enum(APPROVAL_TIMEOUT_MODES).default("deny"),
        group: z.string().trim().min(1).optional(),
        escalation: z
          .array(z.strictObject({ to: z.string().trim().min(1), timeout: positiveDuration }))
          .default([]),
        // Optional (absent = false) so that documents without it keep their policy id.
        allowSelfApproval: z.boolean().optional(),
      })
      .prefault({}),
    // Optional (absent = off) so that documents without them keep their policy id.
    models: modelsPolicySchema.optional(),
    sessionRisk: sessionRiskPolicySchema.optional(),
  });
}

/** The policy schema used for the editor JSON Schema (condition trees fully described). */
export const policySchema = buildPolicySchema(conditionSchema);

/** A policy file as written (keys with defaults may be left out). */
export type PolicyInput = z.input<typeof policySchema>;

/** One risk rule: the first rule whose `when` holds sets the level. */
export interface RiskRule {
  readonly name?: string | undefined;
  readonly when: ConditionNode;
  readonly level: RiskLevel;
}

/** Settings of the weighted (original weight/score) classifier. */
export interface WeightedClassifierSettings {
  readonly weightField: string;
  readonly scoreField: string;
  readonly maxAutoWeight: number;
  readonly minAutoScore: number;
  readonly highWeight: number;
  readonly highScoreBelow: number;
}

/** One evaluator instance of a policy. */
export interface PolicyEvaluatorEntry {
  readonly name: string;
  readonly type: string;
  readonly config: JsonObject;
  readonly timeoutMs: number;
}

/** A validated, normalised policy document (defaults filled in, action names normalised). JSON-serialisable. */
export interface PolicyDocument {
  readonly version: 1;
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly executionMode: ExecutionMode;
  readonly actions: {
    readonly blocked: readonly string[];
    readonly alwaysApprove: readonly string[];
    readonly autoApprove: readonly string[];
    readonly steer: readonly string[];
    readonly unrestricted: readonly string[];
    readonly unlisted: UnlistedMode;
  };
  readonly steering: {
    readonly maxRetries: number;
    readonly guidance?: string | undefined;
    readonly suggestedActions?: readonly string[] | undefined;
  };
  readonly risk: {
    readonly classifier: RiskClassifierName;
    readonly default: RiskLevel;
    readonly rules: readonly RiskRule[];
    readonly weighted?: WeightedClassifierSettings | undefined;
  };
  readonly assets: { readonly patterns: readonly string[]; readonly scope: AssetScope };
  readonly autoApprove: {
    readonly maxRisk: RiskLevel;
    readonly dryRunOnly: boolean;
    readonly when?: ConditionNode | undefined;
  };
  readonly evaluators: readonly PolicyEvaluatorEntry[];
  /** Field paths (`args.*`, `metadata.*`) whose values are stored as a marker; absent when none are listed. */
  readonly redact?: readonly string[] | undefined;
  readonly approvals: {
    readonly timeout: Duration;
    readonly onTimeout: ApprovalTimeoutMode;
    readonly group?: string | undefined;
    readonly escalation: readonly { readonly to: string; readonly timeout: Duration }[];
    /** Whether the proposal's acting agent or the session's owner may decide its ticket (default false). */
    readonly allowSelfApproval?: boolean | undefined;
  };
  /** The model governor; absent: every model is allowed. */
  readonly models?: ModelsPolicy | undefined;
  /** Session risk accumulation; absent: no state is kept and nothing escalates. */
  readonly sessionRisk?: SessionRiskPolicy | undefined;
}
