import type { Context } from "hono";
import { stringify } from "yaml";
import { can } from "../../auth/roles.js";
import { dryRunDecide } from "../../control-plane/dry-run-decide.js";
import type { DryRunDecision } from "../../control-plane/dry-run-decision.js";
import type { CompiledPolicy } from "../../engines/policy/compiled-policy.js";
import { loadPolicyText } from "../../engines/policy/load-policy.js";
import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import { toPolicyJson } from "../../http/schemas/policy.js";
import type { JsonObject } from "../../types/json.js";
import { renderPage } from "../render.js";
import { readForm, uiAuthorize } from "../ui-auth.js";
import type { UiDeps, UiEnv, UiRouter } from "../ui-context.js";
import { type DryRunFields, EMPTY_DRY_RUN, PolicyForms, type ValidateResult } from "./policy-views.js";

/** The current policy as YAML (the document `GET /v1/policies/current` serves). */
function policyYaml(policy: CompiledPolicy): string {
  return stringify(toPolicyJson(policy).policy, { lineWidth: 0 });
}

/** What the page shows besides the current policy. */
interface PolicyState {
  readonly policyText?: string;
  readonly fields?: DryRunFields;
  readonly validate?: ValidateResult;
  readonly dryRunIssues?: readonly ValidationIssue[];
  readonly dryRun?: { decision: DryRunDecision; policyLabel: string };
}

function policyPage(c: Context<UiEnv>, deps: UiDeps, state: PolicyState = {}, status = 200): Response {
  const policy = deps.controlPlane.policy;
  const current = policyYaml(policy);
  const mayTest = can(c.get("principal"), "policies.test");
  const body = (
    <>
      <section class="card policy-current" aria-labelledby="current-h">
        <h2 id="current-h">Current policy</h2>
        <p>
          The default policy of new sessions, id <code>{policy.id}</code> (a session keeps the policy it was
          opened with). As served by <code>GET /v1/policies/current</code>.
        </p>
        <details open={state.policyText === undefined}>
          <summary>Show the policy (YAML)</summary>
          <section class="policy-doc" aria-label="Current policy (YAML)" tabindex={0}>
            <pre>{current}</pre>
          </section>
        </details>
      </section>
      {mayTest ? (
        <PolicyForms
          csrf={c.get("csrf")}
          policyText={state.policyText ?? current}
          fields={state.fields ?? EMPTY_DRY_RUN}
          {...(state.validate ? { validate: state.validate } : {})}
          {...(state.dryRunIssues ? { dryRunIssues: state.dryRunIssues } : {})}
          {...(state.dryRun ? { dryRun: state.dryRun } : {})}
        />
      ) : (
        <p class="muted">Your role may not validate or dry-run policies.</p>
      )}
    </>
  );
  return renderPage(c, { title: "Policy", active: "policy" }, body, status);
}

/** Compiles the edited text; a ValidationError is a value here (the page lists its issues). */
function compileEdited(text: string): { policy: CompiledPolicy } | { issues: readonly ValidationIssue[] } {
  try {
    return { policy: loadPolicyText(text) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { issues: error.issues };
  }
}

/** Proposal field paths (as `parseProposal` names them) → the form's field names. */
const FORM_FIELD: Readonly<Record<string, string>> = {
  action: "action",
  resourceId: "resource_id",
  resourceType: "resource_type",
  agentId: "agent_id",
  cost: "cost",
  args: "args",
};

function formPath(path: string): string {
  const head = path.split(/[.[]/)[0] ?? path;
  const field = FORM_FIELD[head];
  return field === undefined ? path : field + path.slice(head.length);
}

function readFields(form: URLSearchParams): DryRunFields {
  const get = (name: string) => (form.get(name) ?? "").trim();
  return {
    action: get("action"),
    resource_type: get("resource_type"),
    resource_id: get("resource_id"),
    agent_id: get("agent_id"),
    cost: get("cost"),
    args: form.get("args") ?? "",
    use_edited: form.get("use_edited") !== null,
  };
}

/** The proposal of the form, or the issues of its fields (`args` must be a JSON object). */
function proposalOf(f: DryRunFields): { proposal: Record<string, unknown> } | { issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  if (f.action === "") issues.push({ path: "action", message: "required" });
  let args: JsonObject | undefined;
  if (f.args.trim() !== "") {
    try {
      const parsed: unknown = JSON.parse(f.args);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        issues.push({ path: "args", message: 'expected a JSON object, like {"env": "prod"}' });
      } else args = parsed as JsonObject;
    } catch (error) {
      issues.push({ path: "args", message: `not valid JSON: ${(error as Error).message}` });
    }
  }
  if (issues.length > 0) return { issues };
  return {
    proposal: {
      action: f.action,
      ...(f.resource_type === "" ? {} : { resourceType: f.resource_type }),
      ...(f.resource_id === "" ? {} : { resourceId: f.resource_id }),
      ...(f.agent_id === "" ? {} : { agentId: f.agent_id }),
      ...(f.cost === "" ? {} : { cost: f.cost }),
      ...(args === undefined ? {} : { args }),
    },
  };
}

/**
 * The Policy page: `GET /policy` (the current default policy as YAML), `POST /policy/validate` (checks an
 * edited copy; stores nothing; an invalid one lists each problem with its path, status 422) and
 * `POST /policy/dry-run` (the decision a proposal would get — outcome, code, tier, risk, reason — and its
 * trace, from `dryRunDecide` as `POST /v1/policies/test` computes it; optionally against the edited copy).
 * Both posts need `policies.test`.
 */
export function registerPolicyPages(ui: UiRouter, deps: UiDeps): void {
  ui.get("/policy", (c) => policyPage(c, deps));
  // A reload of a boosted post's URL lands on the page.
  ui.get("/policy/validate", (c) => c.redirect("/policy", 303));
  ui.get("/policy/dry-run", (c) => c.redirect("/policy", 303));

  ui.post("/policy/validate", async (c) => {
    uiAuthorize(c, "policies.test");
    const form = await readForm(c);
    const text = form.get("policy") ?? "";
    const fields = readFields(form);
    const compiled = compileEdited(text);
    if ("issues" in compiled) {
      return policyPage(
        c,
        deps,
        { policyText: text, fields, validate: { valid: false, issues: compiled.issues } },
        422,
      );
    }
    return policyPage(c, deps, {
      policyText: text,
      fields,
      validate: { valid: true, policyId: compiled.policy.id },
    });
  });

  ui.post("/policy/dry-run", async (c) => {
    uiAuthorize(c, "policies.test");
    const form = await readForm(c);
    const text = form.get("policy") ?? "";
    const fields = readFields(form);
    const shown = { policyText: text, fields };
    let policy = deps.controlPlane.policy;
    let policyLabel = `the current policy (${policy.id.slice(0, 12)}…)`;
    if (fields.use_edited) {
      const compiled = compileEdited(text);
      if ("issues" in compiled) {
        const issues = compiled.issues.map((i) => ({ ...i, path: i.path ? `policy.${i.path}` : "policy" }));
        return policyPage(c, deps, { ...shown, dryRunIssues: issues }, 422);
      }
      policy = compiled.policy;
      policyLabel = `the edited policy (${policy.id.slice(0, 12)}…)`;
    }
    const input = proposalOf(fields);
    if ("issues" in input) return policyPage(c, deps, { ...shown, dryRunIssues: input.issues }, 422);
    try {
      const decision = await dryRunDecide(policy, input.proposal);
      return policyPage(c, deps, { ...shown, dryRun: { decision, policyLabel } });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const issues = error.issues.map((i) => ({ ...i, path: formPath(i.path) }));
      return policyPage(c, deps, { ...shown, dryRunIssues: issues }, 422);
    }
  });
}
