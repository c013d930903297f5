import type { EventRecord } from "../../types/event.js";
import { Time } from "../components.js";

/** One audit event as a table row (the audit page and its live tail both render it). */
export function AuditRow(props: { event: EventRecord }) {
  const e = props.event;
  return (
    <tr id={`event-${e.id}`}>
      <td>{e.id}</td>
      <td>
        <Time at={e.at} />
      </td>
      <td>
        <code>{e.kind}</code>
      </td>
      <td>{e.sessionId ? <a href={`/sessions/${e.sessionId}`}>{e.sessionId.slice(0, 8)}</a> : "system"}</td>
      <td>{e.agentId ?? ""}</td>
      <td>
        <code>{JSON.stringify(e.payload).slice(0, 200)}</code>
      </td>
    </tr>
  );
}
