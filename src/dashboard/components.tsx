import type { Child } from "hono/jsx";
import type { ValidationIssue } from "../errors/validation-error.js";

/** Hidden CSRF field every dashboard form carries (checked by `requireSignIn`). */
export function CsrfField(props: { csrf: string }) {
  return <input type="hidden" name="_csrf" value={props.csrf} />;
}

const STATUS_TONE: Readonly<Record<string, "ok" | "warn" | "bad" | "info">> = {
  active: "ok",
  approved: "ok",
  allowed: "ok",
  completed: "ok",
  succeeded: "ok",
  created: "info",
  pending: "warn",
  pending_approval: "warn",
  paused: "warn",
  executing: "info",
  steered: "warn",
  outcome_unknown: "bad",
  expired: "bad",
  denied: "bad",
  failed: "bad",
  aborted: "bad",
  engaged: "bad",
  high: "bad",
  critical: "bad",
  medium: "warn",
  low: "ok",
};

/** A status word as a coloured badge (colour is never the only signal: the word is always shown). */
export function Badge(props: { value: string }) {
  return (
    <span class={`badge ${STATUS_TONE[props.value] ?? "info"}`}>{props.value.replaceAll("_", " ")}</span>
  );
}

/** An instant as UTC ISO text in a `<time>` element (machine-readable `datetime`). */
export function Time(props: { at: number | null | undefined }) {
  if (props.at === null || props.at === undefined) return <span class="muted">—</span>;
  const iso = new Date(props.at).toISOString();
  return <time datetime={iso}>{iso.replace("T", " ").slice(0, 19)}Z</time>;
}

/**
 * Budget used of max as a `<meter>` with the numbers next to it (no inline style: the Content-Security-Policy
 * forbids it). `max` null or `"Infinity"` means unlimited: no meter.
 */
export function BudgetBar(props: { used: string; max: string | null; label?: string }) {
  const max = props.max === null || props.max === "Infinity" ? null : Number(props.max);
  if (max === null) return <span>{props.used} of unlimited</span>;
  return (
    <span class="budget">
      <meter
        min={0}
        max={max > 0 ? max : 1}
        value={Number(props.used)}
        high={max * 0.8}
        optimum={0}
        aria-label={props.label ?? "budget used"}
      >
        {props.used} of {props.max}
      </meter>{" "}
      {props.used} of {props.max}
    </span>
  );
}

/** A table in a horizontally scrolling frame (readable on a phone), with a caption for screen readers. */
export function DataTable(props: {
  caption: string;
  head: readonly string[];
  children?: Child;
  empty?: string;
}) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="skip">{props.caption}</caption>
        <thead>
          <tr>
            {props.head.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** An error message box (role alert). */
export function ErrorBox(props: { message: string; children?: Child }) {
  return (
    <div class="error" role="alert">
      <p>{props.message}</p>
      {props.children}
    </div>
  );
}

/**
 * Each bad field of a rejected input, by its path (`prefix` before it, e.g. `policy.`; `whole` names an issue
 * of the input as a whole, default "(input)").
 */
export function IssueList(props: { issues: readonly ValidationIssue[]; prefix?: string; whole?: string }) {
  return (
    <ul class="issues">
      {props.issues.map((i) => (
        <li>
          <code>{`${props.prefix ?? ""}${i.path || (props.whole ?? "(input)")}`}</code>: {i.message}
        </li>
      ))}
    </ul>
  );
}

/**
 * A part of a page that reloads itself on live events: `GET src` whenever one of `on` (htmx triggers, e.g.
 * `sse:approval_requested`) fires, its answer replacing the region's CONTENT. The region itself stays, so a
 * trigger that fires while a reload is in flight is queued on it and runs after (with an `outerHTML` swap the
 * queued reload would belong to the replaced element and be lost). `src` answers the content only.
 */
export function LiveRegion(props: {
  id: string;
  src: string;
  on: string;
  /** An `hx-sync` strategy, where the region's reloads must be ordered with its own forms' posts. */
  sync?: string;
  children?: Child;
}) {
  return (
    <div id={props.id} hx-get={props.src} hx-trigger={props.on} hx-swap="innerHTML" hx-sync={props.sync}>
      {props.children}
    </div>
  );
}
