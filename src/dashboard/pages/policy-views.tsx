import type { DryRunDecision } from "../../control-plane/dry-run-decision.js";
import type { ValidationIssue } from "../../errors/validation-error.js";
import { Badge, CsrfField, IssueList } from "../components.js";

/** What the dry-run form holds (its field names are the form's). */
export interface DryRunFields {
  readonly action: string;
  readonly resource_type: string;
  readonly resource_id: string;
  readonly agent_id: string;
  readonly cost: string;
  readonly args: string;
  readonly use_edited: boolean;
}

/** An empty dry-run form. */
export const EMPTY_DRY_RUN: DryRunFields = {
  action: "",
  resource_type: "",
  resource_id: "",
  agent_id: "",
  cost: "",
  args: "",
  use_edited: false,
};

/** The outcome of validating the edited policy. */
export type ValidateResult =
  | { readonly valid: true; readonly policyId: string }
  | { readonly valid: false; readonly issues: readonly ValidationIssue[] };

/** The validation answer: the new policy's id, or each problem with its path. */
export function ValidateResultBox(props: { result: ValidateResult }) {
  const r = props.result;
  if (r.valid) {
    return (
      <div class="notice" role="status" id="validate-result">
        <p>
          The edited policy is valid (id <code>{r.policyId}</code>). Nothing was stored: the server keeps its
          current policy.
        </p>
      </div>
    );
  }
  return (
    <div class="error" role="alert" id="validate-result">
      <p>
        The edited policy is not valid ({r.issues.length} problem{r.issues.length === 1 ? "" : "s"}):
      </p>
      <IssueList whole="(document)" issues={r.issues} />
    </div>
  );
}

/** The decision of a dry run: outcome, code, tier, risk, reason, then its trace step by step. */
export function DryRunResult(props: { decision: DryRunDecision; policyLabel: string }) {
  const d = props.decision;
  return (
    <section class="card dry-run-result" id="dry-run-result" aria-labelledby="dry-run-result-h">
      <h2 id="dry-run-result-h">Decision</h2>
      <p class="muted">Against {props.policyLabel}. Nothing was stored.</p>
      <dl class="decision">
        <dt>Outcome</dt>
        <dd>
          <Badge value={d.outcome} />
        </dd>
        <dt>Code</dt>
        <dd>
          <code>{d.code}</code>
        </dd>
        <dt>Tier</dt>
        <dd>{d.tier.replaceAll("_", " ")}</dd>
        <dt>Risk</dt>
        <dd>
          <Badge value={d.riskLevel} />
        </dd>
        <dt>Reason</dt>
        <dd>{d.reason}</dd>
        {d.steering ? (
          <>
            <dt>Guidance</dt>
            <dd>
              {d.steering.guidance}
              {d.steering.suggestedActions.length > 0
                ? ` (try: ${d.steering.suggestedActions.join(", ")})`
                : ""}
            </dd>
          </>
        ) : null}
      </dl>
      {d.warnings.length > 0 ? (
        <>
          <h3>Warnings</h3>
          <ul>
            {d.warnings.map((w) => (
              <li>{w}</li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>Trace</h3>
      <ol class="trace" aria-label="Decision trace">
        {d.trace.map((t) => (
          <li>
            <strong>{t.step}</strong>: <code>{t.result}</code>
            {t.detail ? <span class="muted"> — {t.detail}</span> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Field(props: { name: keyof DryRunFields; label: string; value: string; hint?: string }) {
  const id = `dry-${props.name.replaceAll("_", "-")}`;
  return (
    <div>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type="text"
        value={props.value}
        {...(props.hint ? { "aria-describedby": `${id}-hint` } : {})}
      />
      {props.hint ? (
        <small class="muted hint" id={`${id}-hint`}>
          {props.hint}
        </small>
      ) : null}
    </div>
  );
}

/**
 * The edit-and-test form: the editable copy of the policy (Validate) and a proposal to dry-run (Dry run),
 * optionally against the edited copy. One form so that the edited text travels with both buttons (no script).
 */
export function PolicyForms(props: {
  csrf: string;
  policyText: string;
  fields: DryRunFields;
  validate?: ValidateResult;
  dryRunIssues?: readonly ValidationIssue[];
  dryRun?: { decision: DryRunDecision; policyLabel: string };
}) {
  const f = props.fields;
  return (
    <form method="post" action="/policy/validate" class="policy-forms">
      <CsrfField csrf={props.csrf} />
      <section class="card" aria-labelledby="edit-h">
        <h2 id="edit-h">Edit a copy and validate it</h2>
        <p class="muted">
          Validation stores nothing: to change the server's policy, edit its policy file and restart it.
        </p>
        {props.validate ? <ValidateResultBox result={props.validate} /> : null}
        <label for="policy-text">Edited policy (YAML or JSON)</label>
        <textarea id="policy-text" name="policy" spellcheck={false} rows={18}>
          {props.policyText}
        </textarea>
        <div class="actions">
          <button type="submit" class="primary" formaction="/policy/validate#edit-h">
            Validate
          </button>
        </div>
      </section>
      <section class="card" aria-labelledby="dry-h">
        <h2 id="dry-h">Dry run a proposal</h2>
        <p class="muted">
          What the policy would decide for this proposal, with its trace, in a fresh session without budget
          limits. Kill switches, approval scopes and locks are not simulated.
        </p>
        {props.dryRunIssues ? (
          <div class="error" role="alert" id="dry-run-errors">
            <p>The dry run was refused:</p>
            <IssueList whole="(document)" issues={props.dryRunIssues} />
          </div>
        ) : null}
        <div class="fields">
          <Field name="action" label="Action" value={f.action} hint="required, e.g. deploy" />
          <Field name="resource_type" label="Resource type" value={f.resource_type} />
          <Field name="resource_id" label="Resource id" value={f.resource_id} />
          <Field name="agent_id" label="Agent id" value={f.agent_id} />
          <Field name="cost" label="Cost" value={f.cost} hint="a decimal, e.g. 12.50" />
        </div>
        <label for="dry-args">Arguments (a JSON object)</label>
        <textarea id="dry-args" name="args" class="short" spellcheck={false} rows={4}>
          {f.args}
        </textarea>
        <p class="check">
          <input type="checkbox" id="dry-use-edited" name="use_edited" value="1" checked={f.use_edited} />
          <label for="dry-use-edited">Test against the edited policy above instead of the current one</label>
        </p>
        <div class="actions">
          <button type="submit" class="primary" formaction="/policy/dry-run#dry-run-result">
            Dry run
          </button>
        </div>
        {props.dryRun ? (
          <DryRunResult decision={props.dryRun.decision} policyLabel={props.dryRun.policyLabel} />
        ) : null}
      </section>
    </form>
  );
}
