import type { ControlPlane } from "../../control-plane/control-plane.js";
import type { ProposalView, SessionView, TicketView } from "../../control-plane/views.js";
import { canTransition } from "../../engines/sessions/session-transitions.js";
import type { EventRecord } from "../../types/event.js";
import { Badge, CsrfField, DataTable, Time } from "../components.js";
import { Pager, SessionBudget, shortId } from "./session-list.js";

/** Timeline events shown per page. */
export const EVENTS_PER_PAGE = 25;

/**
 * Which sequence numbers page `page` (1-based) of a newest-first timeline holds: the `afterSeq` and `limit`
 * to read them with `cp.events` (sequence numbers are gap-free per session), and whether older ones remain.
 */
export function timelineWindow(
  lastSeq: number,
  page: number,
): { afterSeq: number; limit: number; more: boolean } {
  const top = Math.max(0, lastSeq - (page - 1) * EVENTS_PER_PAGE);
  const afterSeq = Math.max(0, top - EVENTS_PER_PAGE);
  return { afterSeq, limit: Math.max(1, top - afterSeq), more: afterSeq > 0 };
}

/** What an event says in one line: its reason when it has one, else its payload as JSON (shortened). */
function eventSummary(e: EventRecord): string {
  const reason = e.payload.reason;
  const text = typeof reason === "string" ? reason : JSON.stringify(e.payload);
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

/** The event that puts a session in each status an operator can cause. */
const STATUS_EVENT: Readonly<Record<string, string>> = {
  paused: "session_paused",
  aborted: "session_aborted",
  completed: "session_completed",
};

/** How far back {@link statusActor} looks for the event of the current status. */
const STATUS_LOOKBACK = 20;

/**
 * Who put the session in its current status (paused, aborted, completed): payload `by` of the newest event of
 * that status among the session's last few events; `undefined` when not recorded (an agent, a budget, the API
 * without an actor).
 */
export async function statusActor(cp: ControlPlane, s: SessionView): Promise<string | undefined> {
  const kind = STATUS_EVENT[s.status];
  if (kind === undefined || s.lastSeq === 0) return undefined;
  const events = await cp.events(s.id, { afterSeq: Math.max(0, s.lastSeq - STATUS_LOOKBACK) });
  const last = events.findLast((e) => e.kind === kind);
  return typeof last?.payload.by === "string" ? last.payload.by : undefined;
}

/** The session's facts: status and why (and who, when recorded), agent, policy, budget, times. */
export function SessionFacts(props: { session: SessionView; by?: string | undefined }) {
  const s = props.session;
  return (
    <dl class="facts card">
      <dt>Status</dt>
      <dd>
        <Badge value={s.status} /> {s.statusReason ? <span>{s.statusReason}</span> : null}
        {props.by ? <span class="muted"> · by {props.by}</span> : null}
      </dd>
      <dt>Name</dt>
      <dd>{s.name ?? <span class="muted">—</span>}</dd>
      <dt>Id</dt>
      <dd>
        <code>{s.id}</code>
      </dd>
      <dt>Agent</dt>
      <dd>
        {s.agentId ? <a href={`/agents#agent-${s.agentId}`}>{s.agentId}</a> : <span class="muted">—</span>}
      </dd>
      <dt>Policy</dt>
      <dd>
        <code>{s.policyId}</code>
      </dd>
      <dt>Budget</dt>
      <dd>
        <SessionBudget session={s} />
      </dd>
      <dt>Created</dt>
      <dd>
        <Time at={s.createdAt} />
      </dd>
      <dt>Updated</dt>
      <dd>
        <Time at={s.updatedAt} />
      </dd>
    </dl>
  );
}

/**
 * How the control forms' (boosted) posts sync with the live refresh of `#session-controls`: a post aborts a
 * refresh in flight, and the block drops refreshes while a post is in flight (`CONTROLS_SYNC`). Otherwise a
 * refresh answered after the post's new page replaced the body swaps into the detached old block, and htmx's
 * `hx-preserve` moves the live page's reason inputs into it: the new page loses them.
 */
const SUBMIT_SYNC = "closest #session-controls:replace";

/** The `hx-sync` of the `#session-controls` block (see {@link SessionControls}). */
export const CONTROLS_SYNC = "this:drop";

/**
 * Pause / Resume (whichever applies) and Abort with a required reason, for a principal allowed to control
 * sessions; nothing for a terminal session.
 */
export function SessionControls(props: { session: SessionView; csrf: string }) {
  const s = props.session;
  const base = `/sessions/${s.id}`;
  if (!canTransition(s.status, "abort")) {
    return <p class="muted">This session has ended ({s.status}): it cannot be paused, resumed or aborted.</p>;
  }
  return (
    <section class="card controls" aria-labelledby="controls-title">
      <h2 id="controls-title">Control</h2>
      <div class="actions">
        {canTransition(s.status, "pause") ? (
          <form method="post" action={`${base}/pause`} class="inline-form" hx-sync={SUBMIT_SYNC}>
            <CsrfField csrf={props.csrf} />
            <label for="pause-reason">Pause reason (optional)</label>
            <input id="pause-reason" name="reason" type="text" maxlength={500} hx-preserve="true" />
            <button type="submit">Pause session</button>
          </form>
        ) : null}
        {canTransition(s.status, "resume") ? (
          <form method="post" action={`${base}/resume`} class="inline-form" hx-sync={SUBMIT_SYNC}>
            <CsrfField csrf={props.csrf} />
            <button type="submit" class="primary">
              Resume session
            </button>
          </form>
        ) : null}
        <form method="post" action={`${base}/abort`} class="inline-form" hx-sync={SUBMIT_SYNC}>
          <CsrfField csrf={props.csrf} />
          <label for="abort-reason">Abort reason (required)</label>
          <input id="abort-reason" name="reason" type="text" required maxlength={500} hx-preserve="true" />
          <button type="submit" class="danger">
            Abort session
          </button>
          <p class="muted small">Aborting is final: pending tickets are denied, later proposals refused.</p>
        </form>
      </div>
      <p class="small">
        <a href={`/kill?scope=session&target=${encodeURIComponent(s.id)}#engage`}>
          Engage this session's kill switch…
        </a>
      </p>
    </section>
  );
}

/** The audit timeline, newest first, one page of it, with its pager. */
export function Timeline(props: {
  session: SessionView;
  events: readonly EventRecord[];
  page: number;
  more: boolean;
}) {
  const s = props.session;
  const newestFirst = [...props.events].sort((a, b) => (b.seq ?? 0) - (a.seq ?? 0));
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Audit timeline</h2>
      <p class="muted small">Newest first. {s.lastSeq} events in all.</p>
      {newestFirst.length === 0 ? (
        <p class="card empty">No events yet.</p>
      ) : (
        <DataTable
          caption="Audit events of this session, newest first"
          head={["#", "Time", "Event", "Agent", "Details"]}
        >
          {newestFirst.map((e) => (
            <tr id={`seq-${e.seq}`}>
              <td>{e.seq}</td>
              <td>
                <Time at={e.at} />
              </td>
              <td>
                <code>{e.kind}</code>
              </td>
              <td class="nowrap">{e.agentId ?? ""}</td>
              <td class="wrap">
                {eventSummary(e)}
                {e.ticketId ? (
                  <>
                    {" "}
                    <a href={`/tickets/${e.ticketId}`}>ticket</a>
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager
        base={`/sessions/${s.id}`}
        page={props.page}
        more={props.more}
        search={(p) => (p > 1 ? `page=${p}` : "")}
        label="Timeline pages"
        fragment="#timeline-title"
      />
    </section>
  );
}

/** The session's proposals (newest first) with their outcome and ticket. */
export function ProposalTable(props: { proposals: readonly ProposalView[] }) {
  return (
    <section aria-labelledby="proposals-title">
      <h2 id="proposals-title">Proposals</h2>
      {props.proposals.length === 0 ? (
        <p class="card empty">No proposals yet.</p>
      ) : (
        <DataTable
          caption="Proposals of this session, newest first"
          head={["Time", "Action", "Resource", "Cost", "Status", "Decision", "Ticket"]}
        >
          {props.proposals.map((p) => (
            <tr>
              <td>
                <Time at={p.createdAt} />
              </td>
              <td>
                <code>{p.action}</code>
              </td>
              <td class="nowrap">{p.resourceId ?? <span class="muted">—</span>}</td>
              <td>{p.actualCost ?? p.cost}</td>
              <td>
                <Badge value={p.status} />
              </td>
              <td class="wrap">
                <Badge value={p.outcome} /> {p.code ? <code>{p.code}</code> : null} {p.reason}
              </td>
              <td>{p.ticketId ? <a href={`/tickets/${p.ticketId}`}>{shortId(p.ticketId)}</a> : ""}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

/** The session's approval tickets (newest first), each linking to its page. */
export function TicketTable(props: { tickets: readonly TicketView[] }) {
  return (
    <section aria-labelledby="tickets-title">
      <h2 id="tickets-title">Tickets</h2>
      {props.tickets.length === 0 ? (
        <p class="card empty">No approval tickets.</p>
      ) : (
        <DataTable
          caption="Approval tickets of this session"
          head={["Ticket", "Status", "Action", "Cost", "Decided by", "Opened"]}
        >
          {props.tickets.map((t) => (
            <tr>
              <td>
                <a href={`/tickets/${t.id}`}>{shortId(t.id)}</a>
              </td>
              <td>
                <Badge value={t.status} />
              </td>
              <td>
                <code>{t.request.action}</code>
              </td>
              <td>{t.request.cost}</td>
              <td>{t.decidedBy ?? <span class="muted">—</span>}</td>
              <td>
                <Time at={t.createdAt} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
