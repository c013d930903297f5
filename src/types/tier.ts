/**
 * Action tiers produced by the policy engine.
 * - `blocked`: never allowed.
 * - `always_approve`: a human must approve (unless an allow-for-session scope waives it).
 * - `auto_approve`: allowed without a human.
 * - `steer`: not executed; the agent receives guidance and alternatives.
 * - `unrestricted`: allowed without approval; still subject to budgets, locks and kill switches.
 */
export const ACTION_TIERS = ["blocked", "always_approve", "auto_approve", "steer", "unrestricted"] as const;

/** One of {@link ACTION_TIERS}. */
export type ActionTier = (typeof ACTION_TIERS)[number];
