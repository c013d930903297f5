import type { ApproveInput, DenyInput } from "../../control-plane/approval-api.js";
import type { TicketView } from "../../control-plane/views.js";
import type { ApprovalScopeInput } from "../../engines/approvals/approval-scope.js";
import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import { CsrfField } from "../components.js";

/** Where a decision form sends the browser afterwards: the inbox or the ticket's own page. */
export type ReturnTo = "inbox" | "ticket";

/** The path a decision on `ticketId` redirects to, from the form's `return` field (default: the inbox). */
export function returnPath(form: URLSearchParams, ticketId: string): string {
  return form.get("return") === "ticket" ? `/tickets/${encodeURIComponent(ticketId)}` : "/";
}

/** A refused form shown again: what was posted, and the names of the fields the error named. */
export interface Refill {
  readonly values: URLSearchParams;
  readonly invalid: ReadonlySet<string>;
}

/** Which of the three forms posted `values`: the approve forms carry `scope`, the deny form does not. */
function postedForm(values: URLSearchParams): "once" | "session" | "deny" {
  const scope = values.get("scope");
  return scope === null ? "deny" : scope === "session" ? "session" : "once";
}

/**
 * The approve-once, approve-for-the-session (with its scope fields) and deny forms of a pending ticket. The
 * block is kept as it is across live refreshes (`hx-preserve`), so that a half-typed reason or an open scope
 * form survives a new ticket arriving.
 */
export function DecideForms(props: {
  ticket: TicketView;
  csrf: string;
  returnTo: ReturnTo;
  refill?: Refill;
}) {
  const t = props.ticket;
  const refill = props.refill;
  const posted = refill ? postedForm(refill.values) : undefined;
  /** The value and validity of field `name` of form `which`: as posted when that form was refused. */
  const field = (which: "session" | "deny", name: string, fallback = "") => {
    const mine = posted === which && refill !== undefined;
    return {
      value: mine ? (refill.values.get(name) ?? fallback) : fallback,
      "aria-invalid": mine && refill.invalid.has(name) ? "true" : undefined,
    };
  };
  const id = `t-${t.id}`;
  const base = `/tickets/${encodeURIComponent(t.id)}`;
  const what = `${t.request.action}${t.request.resourceId ? ` on ${t.request.resourceId}` : ""}`;
  return (
    <div class="decide" id={`decide-${props.returnTo}-${t.id}`} hx-preserve="true">
      <form method="post" action={`${base}/approve`} class="approve-once">
        <CsrfField csrf={props.csrf} />
        <input type="hidden" name="return" value={props.returnTo} />
        <input type="hidden" name="scope" value="once" />
        <button type="submit" class="primary" aria-describedby={`ticket-${t.id}-title`}>
          Approve once
        </button>
      </form>
      <form method="post" action={`${base}/deny`} class="deny">
        <CsrfField csrf={props.csrf} />
        <input type="hidden" name="return" value={props.returnTo} />
        <label for={`${id}-deny-reason`}>Reason for denying (required)</label>
        <div class="row">
          <input
            type="text"
            id={`${id}-deny-reason`}
            name="reason"
            {...field("deny", "reason")}
            required
            maxlength={500}
            autocomplete="off"
          />
          <button type="submit" class="danger" aria-describedby={`ticket-${t.id}-title`}>
            Deny
          </button>
        </div>
      </form>
      <details class="session-scope" open={posted === "session"}>
        <summary>Approve for the session…</summary>
        <form method="post" action={`${base}/approve`}>
          <CsrfField csrf={props.csrf} />
          <input type="hidden" name="return" value={props.returnTo} />
          <input type="hidden" name="scope" value="session" />
          <p class="muted">
            Also allows later matching proposals of this session without asking again ({what} now).
          </p>
          <div class="fields">
            <div>
              <label for={`${id}-actions`}>Actions</label>
              <input
                type="text"
                id={`${id}-actions`}
                name="scope.actions"
                {...field("session", "scope.actions", t.request.action)}
              />
              <small class="muted">Comma-separated; empty: this action only.</small>
            </div>
            <div>
              <label for={`${id}-resources`}>Resources</label>
              <input
                type="text"
                id={`${id}-resources`}
                name="scope.resourceIds"
                {...field("session", "scope.resourceIds", t.request.resourceId ?? "")}
              />
              <small class="muted">Comma-separated; empty: any resource.</small>
            </div>
            <div>
              <label for={`${id}-max-cost`}>Max cost per action</label>
              <input
                type="text"
                inputmode="decimal"
                id={`${id}-max-cost`}
                name="scope.maxCostPerAction"
                {...field("session", "scope.maxCostPerAction")}
                placeholder="no limit"
              />
            </div>
            <div>
              <label for={`${id}-max-uses`}>Max uses</label>
              <input
                type="number"
                min={1}
                step={1}
                id={`${id}-max-uses`}
                name="scope.maxUses"
                {...field("session", "scope.maxUses")}
                placeholder="unlimited"
              />
            </div>
            <div>
              <label for={`${id}-ttl`}>Expires after (minutes)</label>
              <input
                type="number"
                min={1}
                step={1}
                id={`${id}-ttl`}
                name="scope.ttlMinutes"
                {...field("session", "scope.ttlMinutes")}
                placeholder="with the session"
              />
            </div>
            <div>
              <label for={`${id}-note`}>Note (optional)</label>
              <input
                type="text"
                id={`${id}-note`}
                name="reason"
                maxlength={500}
                autocomplete="off"
                {...field("session", "reason")}
              />
            </div>
          </div>
          <div class="actions">
            <button type="submit" class="primary">
              Approve for the session
            </button>
          </div>
        </form>
      </details>
    </div>
  );
}

/** A comma- or newline-separated list field, trimmed, without empty entries; undefined when empty. */
function listField(form: URLSearchParams, name: string): string[] | undefined {
  const items = (form.get(name) ?? "")
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return items.length > 0 ? items : undefined;
}

/** A trimmed text field; undefined when empty. */
function textField(form: URLSearchParams, name: string): string | undefined {
  const v = (form.get(name) ?? "").trim();
  return v === "" ? undefined : v;
}

/**
 * The facade's {@link ApproveInput} from an approve form: `scope` once or session; with session, the scope
 * fields (`scope.actions`, `scope.resourceIds`, `scope.maxCostPerAction`, `scope.maxUses`,
 * `scope.ttlMinutes`). The facade checks the values; this only converts the form's text.
 * @throws ValidationError naming the form field.
 */
export function approveInputFrom(form: URLSearchParams, decidedBy: string): ApproveInput {
  const kind = form.get("scope") ?? "once";
  const issues: ValidationIssue[] = [];
  if (kind !== "once" && kind !== "session") {
    issues.push({ path: "scope", message: 'expected "once" or "session"', received: kind });
  }
  const reason = textField(form, "reason");
  let scope: ApprovalScopeInput = { kind: "once" };
  if (kind === "session") {
    const actions = listField(form, "scope.actions");
    const resourceIds = listField(form, "scope.resourceIds");
    const maxCost = textField(form, "scope.maxCostPerAction");
    const maxUses = textField(form, "scope.maxUses");
    const ttl = textField(form, "scope.ttlMinutes");
    let ttlMs: number | undefined;
    if (ttl !== undefined) {
      const minutes = Number(ttl);
      if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 525_600) {
        issues.push({
          path: "scope.ttlMinutes",
          message: "expected a number of minutes from 1 to 525600",
          received: ttl,
        });
      } else ttlMs = Math.round(minutes * 60_000);
    }
    scope = {
      kind: "session",
      ...(actions ? { actions } : {}),
      ...(resourceIds ? { resourceIds } : {}),
      ...(maxCost !== undefined ? { maxCostPerAction: maxCost } : {}),
      ...(maxUses !== undefined ? { maxUses: /^\d+$/.test(maxUses) ? Number(maxUses) : Number.NaN } : {}),
      ...(ttlMs !== undefined ? { ttlMs } : {}),
    };
  }
  if (issues.length > 0) throw new ValidationError(issues, "approval form");
  return { decidedBy, scope, ...(reason !== undefined ? { reason } : {}) };
}

/**
 * The facade's {@link DenyInput} from a deny form. A denial needs a reason (the agent and the audit log show
 * it), even though the facade would accept none.
 * @throws ValidationError naming `reason`.
 */
export function denyInputFrom(form: URLSearchParams, decidedBy: string): DenyInput {
  const reason = textField(form, "reason");
  if (reason === undefined) {
    throw new ValidationError([{ path: "reason", message: "give a reason for denying" }], "deny form");
  }
  return { decidedBy, reason };
}
