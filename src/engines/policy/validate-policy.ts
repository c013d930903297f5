import { z } from "zod";
import { checkKnownKeys } from "../../errors/unknown-keys.js";
import type { ValidationIssue } from "../../errors/validation-error.js";
import type { ConditionNode } from "../../types/condition.js";
import type { JsonObject } from "../../types/json.js";
import { buildPolicySchema, type PolicyDocument } from "../../types/policy.js";
import { normalizeAction } from "../../types/proposal.js";
import { compileFieldPath } from "../conditions/field-path.js";
import { formatPath, fromZodIssues, type PathSegment, zodMessage } from "../conditions/issue-path.js";
import { type EvaluatorReference, validateCondition } from "../conditions/validate-condition.js";
import type { EvaluatorRegistry } from "../evaluators/evaluator-registry.js";
import { checkModelsKeys, normalizeModels } from "../model-governor/validate-models.js";
import { checkSessionRisk, normalizeSessionRisk } from "../session-risk/validate-session-risk.js";
import { checkRedactPath } from "./redact-fields.js";

/** The structural schema; condition trees are validated separately (precise errors, depth limit). */
const structuralSchema = buildPolicySchema(z.unknown().optional());

/** The result of {@link validatePolicy}. */
export type PolicyValidation =
  | { readonly ok: true; readonly document: PolicyDocument }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

const dedupe = (list: readonly string[]): string[] => [...new Set(list.map(normalizeAction))];

function checkConfig(
  registry: EvaluatorRegistry,
  type: string,
  config: unknown,
  base: string,
  issues: ValidationIssue[],
): void {
  const evaluator = registry.get(type);
  if (!evaluator?.validateConfig || !isObject(config)) return;
  for (const issue of evaluator.validateConfig(config as JsonObject)) {
    issues.push({ path: `${base}${issue.path ? `.${issue.path}` : ""}`, message: issue.message });
  }
}

/**
 * Validates a raw policy object: structure (zod), condition trees, evaluator types and configs, evaluator
 * references in trees, and cross-field rules. Returns every problem found, or the normalised document.
 */
export function validatePolicy(
  raw: unknown,
  registry: EvaluatorRegistry,
  options?: { readonly maxConditionDepth?: number },
): PolicyValidation {
  const parsed = structuralSchema.safeParse(raw, { error: zodMessage });
  const r = isObject(raw) ? raw : {};
  const issues: ValidationIssue[] = parsed.success
    ? []
    : sectionHints(fromZodIssues(parsed.error.issues, []), r);
  checkModelsKeys(r.models, issues);
  checkSessionRisk(r.sessionRisk, issues);
  const maxDepth = options?.maxConditionDepth;

  // Evaluator instances: known types, valid configs, unique names.
  const names = new Map<string, string>();
  const rawEvaluators = Array.isArray(r.evaluators) ? r.evaluators : [];
  rawEvaluators.forEach((e, i) => {
    if (!isObject(e)) return;
    if (typeof e.type === "string" && e.type.trim() !== "") {
      const type = e.type.trim();
      if (!registry.has(type)) {
        issues.push({
          path: formatPath(["evaluators", i, "type"]),
          message: `unknown evaluator type "${type}" (registered: ${registry.types().join(", ") || "none"})`,
        });
      } else checkConfig(registry, type, e.config ?? {}, `evaluators[${i}].config`, issues);
    }
    if (typeof e.name === "string" && e.name.trim() !== "") {
      const name = e.name.trim();
      if (names.has(name)) {
        issues.push({
          path: formatPath(["evaluators", i, "name"]),
          message: `duplicate evaluator name "${name}"`,
        });
      } else names.set(name, typeof e.type === "string" ? e.type.trim() : "");
    }
  });

  // Condition trees.
  const trees = new Map<string, ConditionNode>();
  const refs: EvaluatorReference[] = [];
  const tree = (value: unknown, path: PathSegment[], inRiskRule: boolean) => {
    if (value === undefined) {
      issues.push({ path: formatPath(path), message: "required: expected a condition" });
      return;
    }
    const v = validateCondition(value, {
      path,
      maxDepth,
      allowRisk: !inRiskRule,
      allowEvaluators: !inRiskRule,
    });
    refs.push(...v.evaluators);
    if (!v.ok) issues.push(...v.issues);
    else trees.set(formatPath(path), v.node);
  };
  const risk = isObject(r.risk) ? r.risk : {};
  if (Array.isArray(risk.rules)) {
    risk.rules.forEach((rule, i) => {
      if (isObject(rule)) tree(rule.when, ["risk", "rules", i, "when"], true);
    });
    if (risk.classifier === "weighted" && risk.rules.length > 0) {
      issues.push({
        path: "risk.rules",
        message: 'rules are not used by classifier "weighted"; remove them',
      });
    }
  }
  if (isObject(risk.weighted)) {
    for (const key of ["weightField", "scoreField"] as const) {
      const field = risk.weighted[key];
      if (typeof field !== "string") continue;
      const getter = compileFieldPath(field);
      if (typeof getter === "string") issues.push({ path: `risk.weighted.${key}`, message: getter });
    }
  }
  const auto = isObject(r.autoApprove) ? r.autoApprove : {};
  if (auto.when !== undefined) tree(auto.when, ["autoApprove", "when"], false);

  // Evaluator leaves: a policy evaluator name, else a registered type.
  for (const ref of refs) {
    const type = names.get(ref.evaluator) ?? (registry.has(ref.evaluator) ? ref.evaluator : undefined);
    if (type === undefined) {
      issues.push({
        path: `${ref.path}.evaluator`,
        message: `unknown evaluator "${ref.evaluator}" (neither a policy evaluator name nor a registered type)`,
      });
      continue;
    }
    const base = rawEvaluators.find((e) => isObject(e) && e.name === ref.evaluator) as
      | Record<string, unknown>
      | undefined;
    const config = { ...(isObject(base?.config) ? base.config : {}), ...(ref.config ?? {}) };
    if (ref.config !== undefined || !base) checkConfig(registry, type, config, `${ref.path}.config`, issues);
  }

  // Redacted fields: condition field paths under args or metadata.
  if (Array.isArray(r.redact)) {
    r.redact.forEach((path, i) => {
      const problem = typeof path === "string" && path !== "" ? checkRedactPath(path) : undefined;
      if (problem !== undefined) issues.push({ path: `redact[${i}]`, message: problem });
    });
  }

  if (issues.length > 0 || !parsed.success) return { ok: false, issues };

  const d = parsed.data;
  const rules = d.risk.rules.map((rule, i) => ({ ...rule, when: trees.get(`risk.rules[${i}].when`)! }));
  const when = trees.get("autoApprove.when");
  const document = {
    ...d,
    actions: {
      blocked: dedupe(d.actions.blocked),
      alwaysApprove: dedupe(d.actions.alwaysApprove),
      autoApprove: dedupe(d.actions.autoApprove),
      steer: dedupe(d.actions.steer),
      unrestricted: dedupe(d.actions.unrestricted),
      unlisted: d.actions.unlisted,
    },
    steering:
      d.steering.suggestedActions === undefined
        ? d.steering
        : { ...d.steering, suggestedActions: dedupe(d.steering.suggestedActions) },
    risk: { ...d.risk, rules },
    autoApprove: when === undefined ? d.autoApprove : { ...d.autoApprove, when },
    evaluators: d.evaluators.map((e) => ({ ...e, config: e.config as JsonObject })),
    ...(d.models === undefined ? {} : { models: normalizeModels(d.models) }),
    ...(d.sessionRisk === undefined ? {} : { sessionRisk: normalizeSessionRisk(d.sessionRisk) }),
  } as PolicyDocument;
  return { ok: true, document };
}

/** Sections whose unknown keys their own checks report, with a "did you mean" hint. */
const HINTED_SECTIONS = ["models", "sessionRisk"];
const TOP_LEVEL_KEYS = Object.keys(structuralSchema.shape);

/**
 * Replaces zod's bare "unknown key" issues inside the `models` and `sessionRisk` sections (their checks report
 * them with a hint), and adds a hint to a top-level unknown key that looks like one of them (`session_risk`).
 */
function sectionHints(issues: ValidationIssue[], raw: Record<string, unknown>): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    if (issue.message !== "unknown key") {
      out.push(issue);
      continue;
    }
    const top = issue.path.split(/[.[]/, 1)[0]!;
    if (HINTED_SECTIONS.includes(top) && issue.path !== top) continue;
    if (issue.path === top && Object.hasOwn(raw, top)) {
      const hinted: ValidationIssue[] = [];
      checkKnownKeys({ [top]: true }, TOP_LEVEL_KEYS, "", hinted);
      const hint = /did you mean "(\w+)"/.exec(hinted[0]?.message ?? "")?.[1];
      if (hint !== undefined && HINTED_SECTIONS.includes(hint)) {
        out.push(hinted[0]!);
        continue;
      }
    }
    out.push(issue);
  }
  return out;
}
