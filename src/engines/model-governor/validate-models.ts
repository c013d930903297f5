import { checkKnownKeys } from "../../errors/unknown-keys.js";
import type { ValidationIssue } from "../../errors/validation-error.js";
import { MODEL_ACTION_TIERS, type ModelsPolicy } from "../../types/model-governance.js";

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

const SECTION_KEYS = ["tiers", "allow", "overrides"] as const;

/**
 * Checks the keys of a raw `models` policy section (unknown keys are named with a "did you mean" hint, e.g.
 * `models.allow.autoApprove: unknown key (did you mean "auto_approve"?)`); value types are the schema's job.
 */
export function checkModelsKeys(raw: unknown, issues: ValidationIssue[]): void {
  if (!isObject(raw)) return;
  checkKnownKeys(raw, SECTION_KEYS, "models.", issues);
  if (isObject(raw.allow)) checkKnownKeys(raw.allow, MODEL_ACTION_TIERS, "models.allow.", issues);
}

const dedupe = <T>(list: readonly T[]): T[] => [...new Set(list)];

/** Normalises a schema-validated `models` section: duplicate entries of every list are dropped. */
export function normalizeModels(models: ModelsPolicy): ModelsPolicy {
  const allow: Record<string, readonly string[]> = {};
  for (const tier of MODEL_ACTION_TIERS) {
    const list = models.allow[tier];
    if (list !== undefined) allow[tier] = dedupe(list);
  }
  const overrides: Record<string, readonly string[]> = {};
  for (const [user, list] of Object.entries(models.overrides)) overrides[user] = dedupe(list);
  return { tiers: models.tiers, allow, overrides } as ModelsPolicy;
}
