import type { Principal } from "../../auth/roles.js";
import { can } from "../../auth/roles.js";
import type { ControlPlane } from "../../control-plane/control-plane.js";
import type { ProposalView, TicketView } from "../../control-plane/views.js";
import { NotFoundError } from "../../errors/control-plane-error.js";
import type { TraceEntry } from "../../types/decision.js";
import { Badge, Time } from "../components.js";
import { DecideForms, type Refill } from "./ticket-forms.js";

/** A ticket with the decision trace of its proposal (the trace lives on the proposal, not the ticket). */
export interface TicketWithTrace {
  readonly ticket: TicketView;
  /** The proposal's decision trace, in the order the steps ran; empty when the proposal cannot be read. */
  readonly trace: readonly TraceEntry[];
}

/** Page size used to read every pending ticket (the facade's maximum). */
const PAGE = 1000;

/**
 * Every pending ticket across all sessions, OLDEST first. The facade lists newest first in pages, so this
 * reads page after page until a short one and reverses; a ticket seen twice (the list moved while paging) is
 * kept once.
 */
export async function listPendingOldestFirst(cp: ControlPlane): Promise<TicketView[]> {
  const seen = new Map<string, TicketView>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await cp.listTickets({ statuses: ["pending"], limit: PAGE, offset });
    for (const t of page) if (!seen.has(t.id)) seen.set(t.id, t);
    if (page.length < PAGE) break;
  }
  return [...seen.values()].sort((a, b) => a.createdAt - b.createdAt);
}

/** Reads the decision trace of each ticket's proposal. */
export async function withTraces(
  cp: ControlPlane,
  tickets: readonly TicketView[],
): Promise<TicketWithTrace[]> {
  return Promise.all(
    tickets.map(async (ticket) => {
      let proposal: ProposalView | undefined;
      try {
        proposal = await cp.getProposal(ticket.proposalId);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      return { ticket, trace: proposal?.trace ?? [] };
    }),
  );
}

/** `ms` as a short duration: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ""}`;
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ""}`;
}

/** A deadline is near in this last fraction of the ticket's time… */
export const NEAR_FRACTION = 0.2;
/** …or in these last milliseconds, whichever comes first (and once passed). */
export const NEAR_FLOOR_MS = 5 * 60_000;

/**
 * Whether a pending ticket's deadline is near (shown red, listed on the Attention page): less than
 * {@link NEAR_FRACTION} of its time (creation to deadline) or less than {@link NEAR_FLOOR_MS} is left.
 * Relative, so that a 15-minute timeout does not make every ticket red from the start.
 */
export function deadlineNear(
  t: { readonly createdAt: number; readonly deadlineAt: number },
  now: number,
): boolean {
  const left = t.deadlineAt - now;
  return left < NEAR_FLOOR_MS || left < (t.deadlineAt - t.createdAt) * NEAR_FRACTION;
}

/**
 * The deadline of a pending ticket: when, and how long is left (or how long ago it passed); red when near
 * (see {@link deadlineNear}; `since` is when the ticket was created).
 */
export function Deadline(props: { at: number; since: number; now: number }) {
  const left = props.at - props.now;
  const soon = deadlineNear({ createdAt: props.since, deadlineAt: props.at }, props.now);
  return (
    <span class={soon ? "deadline soon" : "deadline"}>
      <Time at={props.at} />{" "}
      <span class="left">
        {left > 0 ? `(${shortDuration(left)} left)` : `(passed ${shortDuration(-left)} ago)`}
      </span>
    </span>
  );
}

/** " escalated (level N)" after a ticket's deadline once it was escalated; nothing before. */
export function Escalation(props: { level: number }) {
  if (props.level <= 0) return null;
  return (
    <>
      {" "}
      <span class="badge bad">escalated (level {props.level})</span>
    </>
  );
}

/** The decision trace as an ordered list, collapsed by default. */
export function Trace(props: { trace: readonly TraceEntry[] }) {
  if (props.trace.length === 0) return <p class="muted">No decision trace recorded.</p>;
  return (
    <details class="trace">
      <summary>Decision trace ({props.trace.length} steps)</summary>
      <ol class="trace">
        {props.trace.map((t) => (
          <li>
            <code>{t.step}</code>: {t.result}
            {t.detail ? <span class="muted"> — {t.detail}</span> : null}
          </li>
        ))}
      </ol>
    </details>
  );
}

/** What the ticket asks, as a two-column table (row headers), readable on a phone. */
export function TicketFacts(props: { ticket: TicketView; now: number }) {
  const t = props.ticket;
  const r = t.request;
  return (
    <table class="facts">
      <caption class="skip">Ticket {t.id}</caption>
      <tbody>
        <tr>
          <th scope="row">Action</th>
          <td>
            <code>{r.action}</code> <span class="muted">({r.tier})</span>
          </td>
        </tr>
        <tr>
          <th scope="row">Resource</th>
          <td>
            {r.resourceId === null ? (
              <span class="muted">none</span>
            ) : (
              <code>{r.resourceType ? `${r.resourceType}:${r.resourceId}` : r.resourceId}</code>
            )}
          </td>
        </tr>
        <tr>
          <th scope="row">Cost</th>
          <td>{r.cost}</td>
        </tr>
        <tr>
          <th scope="row">Agent</th>
          <td>{r.agentId ?? <span class="muted">none</span>}</td>
        </tr>
        <tr>
          <th scope="row">Session</th>
          <td>
            <a href={`/sessions/${encodeURIComponent(t.sessionId)}`}>
              <code>{t.sessionId}</code>
            </a>
          </td>
        </tr>
        <tr>
          <th scope="row">Risk</th>
          <td>
            <Badge value={r.riskLevel} />
          </td>
        </tr>
        <tr>
          <th scope="row">Reason</th>
          <td>{r.reason}</td>
        </tr>
        <tr>
          <th scope="row">Requested</th>
          <td>
            <Time at={t.createdAt} />
          </td>
        </tr>
        <tr>
          <th scope="row">{t.status === "pending" ? "Deadline" : "Was due"}</th>
          <td>
            {t.status === "pending" ? (
              <Deadline at={t.deadlineAt} since={t.createdAt} now={props.now} />
            ) : (
              <Time at={t.deadlineAt} />
            )}
            <Escalation level={t.escalationLevel} />
          </td>
        </tr>
      </tbody>
    </table>
  );
}

/** Who decided a ticket, when, why and with which scope. */
export function DecisionFacts(props: { ticket: TicketView }) {
  const t = props.ticket;
  const s = t.scope;
  const list = (v: readonly string[] | null) => (v === null ? "any" : v.join(", "));
  return (
    <table class="facts">
      <caption class="skip">Decision</caption>
      <tbody>
        <tr>
          <th scope="row">Decision</th>
          <td>
            <Badge value={t.status} />
          </td>
        </tr>
        <tr>
          <th scope="row">Decided by</th>
          <td>{t.decidedBy ?? <span class="muted">nobody (automatic)</span>}</td>
        </tr>
        <tr>
          <th scope="row">Decided at</th>
          <td>
            <Time at={t.decidedAt} />
          </td>
        </tr>
        <tr>
          <th scope="row">Reason</th>
          <td>{t.reason ?? <span class="muted">none given</span>}</td>
        </tr>
        {s ? (
          <tr>
            <th scope="row">Scope</th>
            <td>
              {s.kind === "once" ? (
                "this proposal only (once)"
              ) : (
                <ul class="scope">
                  <li>for the session</li>
                  <li>actions: {list(s.actions)}</li>
                  <li>resources: {list(s.resourceIds)}</li>
                  <li>max cost per action: {s.maxCostPerAction ?? "no limit"}</li>
                  <li>
                    uses: {s.maxUses === null ? "unlimited" : `${s.remainingUses ?? 0} of ${s.maxUses} left`}
                  </li>
                  <li>expires: {s.expiresAt === null ? "with the session" : <Time at={s.expiresAt} />}</li>
                </ul>
              )}
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}

/**
 * One ticket as a card: what it asks, the decision trace, and — while pending, for a principal allowed to
 * decide — the approve and deny forms; once decided, the decision. `returnTo` is where a decision redirects.
 */
export function TicketCard(props: {
  item: TicketWithTrace;
  principal: Principal;
  csrf: string;
  now: number;
  returnTo: "inbox" | "ticket";
  /** The refused form's fields and bad field names, shown again (after a refused decision). */
  refill?: Refill;
  heading?: "h2" | "none";
}) {
  const t = props.item.ticket;
  const pending = t.status === "pending";
  const title = `${t.request.action}${t.request.resourceId ? ` on ${t.request.resourceId}` : ""}`;
  return (
    <article class="card ticket" id={`ticket-${t.id}`} aria-labelledby={`ticket-${t.id}-title`}>
      {props.heading === "none" ? (
        <p class="skip" id={`ticket-${t.id}-title`}>
          {title}
        </p>
      ) : (
        <h2 id={`ticket-${t.id}-title`}>
          <a href={`/tickets/${t.id}`}>{title}</a> <Badge value={t.request.riskLevel} />{" "}
          {pending ? null : <Badge value={t.status} />}
        </h2>
      )}
      <TicketFacts ticket={t} now={props.now} />
      <Trace trace={props.item.trace} />
      {pending ? (
        can(props.principal, "tickets.decide") ? (
          <DecideForms
            ticket={t}
            csrf={props.csrf}
            returnTo={props.returnTo}
            {...(props.refill ? { refill: props.refill } : {})}
          />
        ) : (
          <p class="muted">You can view this ticket; deciding needs an approver, operator or admin role.</p>
        )
      ) : (
        <>
          <h3>Decision</h3>
          <DecisionFacts ticket={t} />
        </>
      )}
    </article>
  );
}
