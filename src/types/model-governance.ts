import { z } from "zod";

/** Model tiers (the original's): a model not assigned to a tier is `standard`. */
export const MODEL_TIERS = ["standard", "premium", "restricted"] as const;
/** One of {@link MODEL_TIERS}. */
export type ModelTier = (typeof MODEL_TIERS)[number];

/** The action tiers a model call can be allowed in (blocked and steered proposals never call a model). */
export const MODEL_ACTION_TIERS = ["auto_approve", "always_approve", "unrestricted"] as const;
/** One of {@link MODEL_ACTION_TIERS}. */
export type ModelActionTier = (typeof MODEL_ACTION_TIERS)[number];

const modelId = z.string().trim().min(1).max(200);
const tierList = z.array(z.enum(MODEL_TIERS));

/**
 * Zod schema of the policy's `models` section (the model governor). Every object is strict.
 * @example
 * // models:
 * //   tiers: { gpt-4o-mini: standard, gpt-4o: premium, o1-pro: restricted }
 * //   allow: { auto_approve: [standard], always_approve: [standard, premium] }
 * //   overrides: { alice: [o1-pro] }
 */
export const modelsPolicySchema = z
  .strictObject({
    tiers: z.record(modelId, z.enum(MODEL_TIERS)).default({}).meta({
      description: "Model id → model tier (standard | premium | restricted). A model not listed is standard.",
    }),
    allow: z
      .strictObject({
        auto_approve: tierList.optional(),
        always_approve: tierList.optional(),
        unrestricted: tierList.optional(),
      })
      .default({})
      .meta({
        description:
          "Action tier → the model tiers a proposal of that tier may call. An action tier not listed may call every model; an empty list allows none.",
      }),
    overrides: z.record(z.string().trim().min(1), z.array(modelId)).default({}).meta({
      description:
        "User id (model.identity.userId) → the exact model ids that user may call. An override REPLACES the tier rules for that user (an empty list allows none).",
    }),
  })
  .meta({ description: "The model governor: which models proposals carrying a model call may use." });

/** The policy's `models` section, normalised (ids trimmed, defaults filled in). */
export interface ModelsPolicy {
  /** Model id → tier; unlisted models are `standard`. */
  readonly tiers: Readonly<Record<string, ModelTier>>;
  /** Action tier → allowed model tiers; an action tier absent here allows every model. */
  readonly allow: { readonly [T in ModelActionTier]?: readonly ModelTier[] | undefined };
  /** User id → allowed model ids; replaces the tier rules for that user. */
  readonly overrides: Readonly<Record<string, readonly string[]>>;
}
