import type { ModelIdentityInput } from "../../types/model-call.js";
import {
  MODEL_ACTION_TIERS,
  type ModelActionTier,
  type ModelsPolicy,
  type ModelTier,
} from "../../types/model-governance.js";
import type { ActionTier } from "../../types/tier.js";

/** The answer of {@link checkModelAccess}: a value, never an exception. */
export interface ModelAccessResult {
  readonly allowed: boolean;
  readonly model: string;
  readonly modelTier: ModelTier;
  /** Which rule decided: a user's override, the action tier's list, or no rule (allowed). */
  readonly rule: "override" | "tier" | "none";
  /** Human-readable explanation (why it was refused, or what allowed it). */
  readonly reason: string;
}

/** Who calls the model; only `userId` selects an override (as in the original). */
export type ModelCaller = Pick<ModelIdentityInput, "userId"> | { readonly userId: string | null };

const isActionTier = (tier: ActionTier): tier is ModelActionTier =>
  (MODEL_ACTION_TIERS as readonly string[]).includes(tier);

/**
 * The tier of a model under a `models` policy section: its assignment in `tiers`, else `standard`.
 * @example classifyModelTier({ tiers: { "gpt-4o": "premium" }, allow: {}, overrides: {} }, "gpt-4o") // "premium"
 */
export function classifyModelTier(models: ModelsPolicy, model: string): ModelTier {
  return Object.hasOwn(models.tiers, model) ? models.tiers[model]! : "standard";
}

/** The override list of `caller`, if the policy has one for its user id. */
function overrideOf(models: ModelsPolicy, caller: ModelCaller | undefined): readonly string[] | undefined {
  const user = caller?.userId;
  if (user === undefined || user === null) return undefined;
  return Object.hasOwn(models.overrides, user) ? models.overrides[user] : undefined;
}

/**
 * Whether a proposal of action tier `actionTier` may call `model`, the original's rules:
 * 1. the caller's user id has an override list ⇒ allowed iff the model id is in it (the override REPLACES the
 *    tier rules entirely, in both directions);
 * 2. else the action tier has an `allow` list ⇒ allowed iff the model's tier is in it;
 * 3. else allowed.
 * Blocked and steered proposals never call a model: for them the answer is "not allowed".
 * @example
 * checkModelAccess(models, "o1-pro", "auto_approve", { userId: "bob" }).allowed // false when auto_approve allows [standard]
 */
export function checkModelAccess(
  models: ModelsPolicy,
  model: string,
  actionTier: ActionTier,
  caller?: ModelCaller,
): ModelAccessResult {
  const modelTier = classifyModelTier(models, model);
  const override = overrideOf(models, caller);
  if (override !== undefined) {
    const allowed = override.includes(model);
    return {
      allowed,
      model,
      modelTier,
      rule: "override",
      reason: allowed
        ? `model ${model} allowed by the override of user ${caller!.userId}`
        : `model ${model} is not in the models allowed for user ${caller!.userId} (models.overrides)`,
    };
  }
  if (!isActionTier(actionTier)) {
    return {
      allowed: false,
      model,
      modelTier,
      rule: "tier",
      reason: `no model may be called by a ${actionTier} proposal`,
    };
  }
  const allowedTiers = models.allow[actionTier];
  if (allowedTiers === undefined) {
    return {
      allowed: true,
      model,
      modelTier,
      rule: "none",
      reason: `no model rule for action tier ${actionTier}`,
    };
  }
  const allowed = allowedTiers.includes(modelTier);
  return {
    allowed,
    model,
    modelTier,
    rule: "tier",
    reason: allowed
      ? `model tier ${modelTier} allowed for action tier ${actionTier}`
      : `model tier ${modelTier} (model ${model}) is not allowed for action tier ${actionTier} (models.allow.${actionTier})`,
  };
}

/**
 * The models named in the policy that a proposal of `actionTier` may call: the caller's override list when it
 * has one, else every model of `tiers` whose tier is allowed (as the original, only models named in `tiers`
 * are enumerated, although an unnamed `standard` model may be allowed too).
 * @example allowedModels(models, "always_approve") // ["gpt-4o-mini", "gpt-4o"]
 */
export function allowedModels(
  models: ModelsPolicy,
  actionTier: ActionTier,
  caller?: ModelCaller,
): readonly string[] {
  const override = overrideOf(models, caller);
  if (override !== undefined) return [...override];
  return Object.keys(models.tiers).filter((m) => checkModelAccess(models, m, actionTier).allowed);
}
