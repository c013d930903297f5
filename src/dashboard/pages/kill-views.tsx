import type { ValidationIssue } from "../../errors/validation-error.js";
import type { KillSwitchRecord } from "../../types/kill-switch.js";
import { CsrfField, DataTable, ErrorBox, IssueList, Time } from "../components.js";
import type { KillFormValues } from "./kill-target.js";

/** A kill switch's target as a link to what it stops. */
export function KillTargetLink(props: { record: Pick<KillSwitchRecord, "scope" | "target"> }) {
  const r = props.record;
  if (r.scope === "global") return <strong>everything</strong>;
  if (r.scope === "agent") return <a href={`/agents#agent-${r.target}`}>{r.target}</a>;
  return <a href={`/sessions/${r.target}`}>{r.target}</a>;
}

/** A Resume button for one engaged switch (posts to `/kill/resume`). */
export function ResumeButton(props: {
  scope: string;
  target: string;
  csrf: string;
  label?: string;
  /** The page to return to (`/agents`; default `/kill`). */
  back?: "/agents";
}) {
  return (
    <form method="post" action="/kill/resume" class="inline">
      <CsrfField csrf={props.csrf} />
      <input type="hidden" name="scope" value={props.scope} />
      <input type="hidden" name="target" value={props.target} />
      {props.back ? <input type="hidden" name="back" value={props.back} /> : null}
      <button type="submit">{props.label ?? "Resume"}</button>
    </form>
  );
}

const SCOPE_ORDER = { global: 0, agent: 1, session: 2 } as const;

/** The global switch first, then agent and session switches, newest first within each. */
function sortSwitches(switches: readonly KillSwitchRecord[]): KillSwitchRecord[] {
  return [...switches].sort(
    (a, b) => SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope] || b.engagedAt - a.engagedAt,
  );
}

/** The engaged kill switches (the content of the live block on `/kill`), with Resume when allowed. */
export function EngagedSwitches(props: {
  switches: readonly KillSwitchRecord[];
  csrf: string;
  canKill: boolean;
}) {
  if (props.switches.length === 0) {
    return <p class="card empty">No kill switch is engaged: agents run under their policies.</p>;
  }
  return (
    <DataTable
      caption="Engaged kill switches"
      head={["Scope", "Target", "Reason", "Engaged by", "Since", ...(props.canKill ? ["Action"] : [])]}
    >
      {sortSwitches(props.switches).map((k) => {
        return (
          <tr class="engaged" data-scope={k.scope} data-target={k.target}>
            <td>
              <span class="badge bad">{k.scope}</span>
            </td>
            <td class="nowrap">
              <KillTargetLink record={k} />
            </td>
            <td class="wrap">{k.reason}</td>
            <td>{k.engagedBy ?? <span class="muted">not recorded</span>}</td>
            <td>
              <Time at={k.engagedAt} />
            </td>
            {props.canKill ? (
              <td>
                <ResumeButton scope={k.scope} target={k.target} csrf={props.csrf} />
              </td>
            ) : null}
          </tr>
        );
      })}
    </DataTable>
  );
}

/** One scope choice of the engage form. */
function ScopeChoice(props: { value: string; checked: boolean; label: string; hint: string }) {
  const id = `scope-${props.value}`;
  return (
    <div class="choice">
      <input type="radio" id={id} name="scope" value={props.value} checked={props.checked} required />
      <label for={id}>
        {props.label} <span class="muted">— {props.hint}</span>
      </label>
    </div>
  );
}

/** A field's error under it (linked by `aria-describedby` as `<name>-error`). */
function FieldError(props: { name: string; issues: readonly ValidationIssue[] }) {
  const issue = props.issues.find((i) => i.path === props.name);
  return issue ? (
    <p class="field-error" id={`${props.name}-error`}>
      {issue.message}
    </p>
  ) : null;
}

/** Attributes marking a field invalid when `issues` name it. */
function invalid(name: string, issues: readonly ValidationIssue[]) {
  return issues.some((i) => i.path === name)
    ? { "aria-invalid": "true", "aria-describedby": `${name}-error` }
    : {};
}

/** A target id field of the engage form (`kill-<name>`), marked invalid with its error under it. */
function TargetField(props: {
  name: string;
  label: string;
  value: string;
  issues: readonly ValidationIssue[];
}) {
  return (
    <div>
      <label for={`kill-${props.name}`}>{props.label}</label>
      <input
        id={`kill-${props.name}`}
        name={props.name}
        type="text"
        value={props.value}
        autocomplete="off"
        {...invalid(props.name, props.issues)}
      />
      <FieldError name={props.name} issues={props.issues} />
    </div>
  );
}

/**
 * The engage form (first step: it posts without `confirm`, and the server answers the confirmation page). With
 * `issues` (a refused post), says that nothing was engaged and shows each error under its field.
 */
export function EngageForm(props: {
  values: KillFormValues;
  csrf: string;
  issues?: readonly ValidationIssue[];
}) {
  const v = props.values;
  const issues = props.issues ?? [];
  const scope = v.scope === "" ? "agent" : v.scope;
  return (
    <form method="post" action="/kill" class="card engage" id="engage" aria-labelledby="engage-title">
      <h2 id="engage-title">Engage a kill switch</h2>
      {issues.length > 0 ? (
        <ErrorBox message="Nothing was engaged. Fix these fields:">
          <IssueList issues={issues} />
        </ErrorBox>
      ) : null}
      <CsrfField csrf={props.csrf} />
      <fieldset>
        <legend>What to stop</legend>
        <ScopeChoice
          value="global"
          checked={scope === "global"}
          label="Everything"
          hint="abort every live session, deny every proposal"
        />
        <ScopeChoice
          value="agent"
          checked={scope === "agent"}
          label="One agent"
          hint="pause its sessions, deny its proposals"
        />
        <ScopeChoice
          value="session"
          checked={scope === "session"}
          label="One session"
          hint="abort it, deny its proposals"
        />
        <FieldError name="scope" issues={issues} />
      </fieldset>
      <div class="fields">
        <TargetField name="agent" label="Agent id (for one agent)" value={v.agent} issues={issues} />
        <TargetField name="session" label="Session id (for one session)" value={v.session} issues={issues} />
      </div>
      <label for="kill-reason">Reason (required)</label>
      <input
        id="kill-reason"
        name="reason"
        type="text"
        value={v.reason}
        maxlength={500}
        required
        {...invalid("reason", issues)}
      />
      <FieldError name="reason" issues={issues} />
      <div class="actions">
        <button type="submit" class="danger">
          Review and confirm…
        </button>
      </div>
      <p class="muted small">Nothing stops until you confirm on the next page.</p>
    </form>
  );
}

/** The confirmation step: exactly what will stop, then a form that posts again with `confirm=yes`. */
export function ConfirmKill(props: {
  values: KillFormValues;
  csrf: string;
  target: string;
  effects: readonly string[];
  alreadyEngaged: boolean;
}) {
  const v = props.values;
  return (
    <section class="card confirm" aria-labelledby="confirm-title">
      <h2 id="confirm-title">Stop {props.target}?</h2>
      {props.alreadyEngaged ? (
        <p class="notice">This switch is already engaged; confirming sweeps its scope again.</p>
      ) : null}
      <p>When you confirm, at once:</p>
      <ul class="effects">
        {props.effects.map((e) => (
          <li>{e}</li>
        ))}
      </ul>
      <p>
        Reason recorded: <strong>{v.reason}</strong>
      </p>
      <p class="muted small">Work already executing keeps running until it reports its outcome.</p>
      <form method="post" action="/kill" class="actions">
        <CsrfField csrf={props.csrf} />
        <input type="hidden" name="scope" value={v.scope} />
        <input type="hidden" name="agent" value={v.agent} />
        <input type="hidden" name="session" value={v.session} />
        <input type="hidden" name="reason" value={v.reason} />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger">
          Engage kill switch
        </button>
        <a class="button" href="/kill">
          Cancel
        </a>
      </form>
    </section>
  );
}
