import type { EventRecord } from "../../types/event.js";
import type { JsonObject } from "../../types/json.js";
import { Time } from "../components.js";

/** The head of the audit table (the columns {@link AuditRow} fills). */
export const AUDIT_HEAD = ["#", "Time (UTC)", "Event", "Session", "Agent", "Details"] as const;

/** An event kind as words: `approval_requested` → "approval requested". */
export function readableKind(kind: string): string {
  return kind.replaceAll("_", " ");
}

const SUMMARY_MAX = 140;

/** A scalar of a payload as text: instants (`…At` keys holding epoch milliseconds) as UTC ISO time. */
function scalarText(key: string, value: string | number | boolean): string {
  if (key.endsWith("At") && typeof value === "number" && Number.isSafeInteger(value) && value > 1e12) {
    return `${new Date(value).toISOString().slice(0, 19).replace("T", " ")}Z`;
  }
  return String(value);
}

/**
 * A short one-line view of a payload: its top-level scalar fields as `key: value` (instants as UTC time), cut
 * at a readable length. The operator (`by`) is left out: {@link AuditRow} shows it first, never cut.
 */
export function compactPayload(payload: JsonObject): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(payload)) {
    if (value === null || typeof value === "object" || key === "by") continue;
    parts.push(`${key}: ${scalarText(key, value)}`);
  }
  const text = parts.join(" · ");
  return text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;
}

/**
 * One audit event as a table row (the audit page and its live tail both render it): id, time, the kind in
 * words (the exact kind as code), links to the session's page and to the agent's events, who acted (payload
 * `by`, when recorded), a compact payload and the full JSON in a disclosure. The session is shown by the end of its id (the whole id is its title).
 */
export function AuditRow(props: { event: EventRecord }) {
  const e = props.event;
  const summary = compactPayload(e.payload);
  const by = typeof e.payload.by === "string" ? e.payload.by : undefined;
  return (
    <tr id={`event-${e.id}`} class="audit-row" data-kind={e.kind}>
      <td>{e.id}</td>
      <td class="nowrap">
        <Time at={e.at} />
      </td>
      <td>
        <span class="kind">{readableKind(e.kind)}</span>
        <br />
        <code class="muted">{e.kind}</code>
      </td>
      <td>
        {e.sessionId ? (
          <a href={`/sessions/${encodeURIComponent(e.sessionId)}`} title={e.sessionId}>
            {/* The tail of the id: ids are time-ordered, so their heads look alike. */}…
            {e.sessionId.slice(-8)}
          </a>
        ) : (
          <span class="muted">system</span>
        )}
      </td>
      <td>
        {e.agentId ? (
          <a href={`/audit?agent_id=${encodeURIComponent(e.agentId)}`} title={`Events of ${e.agentId}`}>
            {e.agentId}
          </a>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td class="payload">
        {by === undefined ? null : (
          <span class="by">
            by <strong>{by}</strong>
            {summary === "" ? "" : " · "}
          </span>
        )}
        {summary === "" ? null : <span class="summary">{summary}</span>}
        <details>
          <summary>JSON</summary>
          <pre>
            {JSON.stringify(
              { payload: e.payload, proposal_id: e.proposalId, ticket_id: e.ticketId, seq: e.seq },
              null,
              2,
            )}
          </pre>
        </details>
      </td>
    </tr>
  );
}
