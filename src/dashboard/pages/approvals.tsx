import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { Principal } from "../../auth/roles.js";
import type { TicketView } from "../../control-plane/views.js";
import { ControlPlaneError, HTTP_STATUS_BY_CODE } from "../../errors/control-plane-error.js";
import { ValidationError } from "../../errors/validation-error.js";
import { ErrorBox, IssueList, LiveRegion } from "../components.js";
import { redirectWithNotice, renderFragment, renderPage } from "../render.js";
import { readForm, uiAuthorize } from "../ui-auth.js";
import type { UiDeps, UiEnv, UiRouter } from "../ui-context.js";
import { listPendingOldestFirst, TicketCard, type TicketWithTrace, withTraces } from "./ticket-card.js";
import { approveInputFrom, denyInputFrom, type Refill, returnPath } from "./ticket-forms.js";

/**
 * The feed events after which the inbox and a ticket page are read again (a ticket opened, decided, expired
 * or escalated; a session's end or a kill switch denies its pending tickets), plus a slow timer so that the
 * time left stays current.
 */
export const TICKET_REFRESH_TRIGGER = [
  "approval_requested",
  "approval_granted",
  "approval_denied",
  "approval_expired",
  "approval_escalated",
  "session_completed",
  "session_aborted",
  "kill_switch_engaged",
]
  .map((k) => `sse:${k}`)
  .concat("every 30s")
  .join(", ");

/** A ticket's short description: "deploy on svc". */
function what(t: TicketView): string {
  return `${t.request.action}${t.request.resourceId ? ` on ${t.request.resourceId}` : ""}`;
}

/**
 * Cards the inbox shows at most (the oldest): a backlog of thousands stays a page a phone can load, and the count
 * says how many wait in all.
 */
export const INBOX_CARDS = 100;

/**
 * The inbox's content (live region `#inbox`, and the body of its fragment): the pending count and the oldest
 * pending tickets, oldest first, at most {@link INBOX_CARDS}.
 */
function Inbox(props: {
  items: readonly TicketWithTrace[];
  /** How many tickets are pending in all. */
  total: number;
  now: number;
  principal: Principal;
  csrf: string;
}) {
  const { items, now, total } = props;
  return (
    <>
      <p class="pending-count">
        <strong id="pending-count">{total}</strong> {total === 1 ? "pending approval" : "pending approvals"}
        {total > 1 ? <span class="muted"> · oldest first</span> : null}
        {total > items.length ? (
          <span class="muted"> · showing the {items.length} oldest; decide them to see the next</span>
        ) : null}
      </p>
      {items.length === 0 ? (
        <p class="card empty">No pending approvals. New requests appear here as they arrive.</p>
      ) : (
        items.map((item) => (
          <TicketCard item={item} principal={props.principal} csrf={props.csrf} now={now} returnTo="inbox" />
        ))
      )}
    </>
  );
}

/** One ticket, or its decision once decided (the content of the ticket page's live region). */
function TicketBlock(props: {
  item: TicketWithTrace;
  now: number;
  principal: Principal;
  csrf: string;
  refill?: Refill;
}) {
  return (
    <>
      <TicketCard
        item={props.item}
        principal={props.principal}
        csrf={props.csrf}
        now={props.now}
        returnTo="ticket"
        heading="none"
        {...(props.refill ? { refill: props.refill } : {})}
      />
      <p>
        <a href="/">Back to the approvals inbox</a>
      </p>
    </>
  );
}

/** Reads a ticket with its trace (NotFoundError for an unknown id). */
async function loadTicket(deps: UiDeps, id: string): Promise<TicketWithTrace> {
  const [item] = await withTraces(deps.controlPlane, [await deps.controlPlane.getTicket(id)]);
  return item!;
}

/** A ticket's page: its title, the error of a refused decision if any, and the live ticket block. */
function ticketPage(
  c: Context<UiEnv>,
  deps: UiDeps,
  item: TicketWithTrace,
  refused?: { error: Child; status: number; refill: Refill },
) {
  const block = (
    <LiveRegion
      id="ticket"
      src={`/fragments/tickets/${encodeURIComponent(item.ticket.id)}`}
      on={TICKET_REFRESH_TRIGGER}
    >
      <TicketBlock
        item={item}
        now={deps.now()}
        principal={c.get("principal")}
        csrf={c.get("csrf")}
        {...(refused ? { refill: refused.refill } : {})}
      />
    </LiveRegion>
  );
  return renderPage(
    c,
    { title: `Ticket: ${what(item.ticket)}`, active: "approvals" },
    <>
      {refused?.error}
      {block}
    </>,
    refused?.status ?? 200,
  );
}

/**
 * A refused decision (validation, self-approval, already decided…): the ticket's page with the error above
 * it, under the error's status, and the ticket's address in the browser's bar.
 */
async function decisionError(
  c: Context<UiEnv>,
  deps: UiDeps,
  id: string,
  form: URLSearchParams,
  error: unknown,
): Promise<Response> {
  if (!(error instanceof ControlPlaneError) || error.code === "not_found") throw error;
  const status = HTTP_STATUS_BY_CODE[error.code];
  const headline =
    error.code === "already_decided"
      ? "Nothing changed: this ticket was already decided or has expired."
      : error.code === "self_approval"
        ? "Nothing changed: you may not decide a request you are a party to."
        : error instanceof ValidationError
          ? "Nothing changed: correct the form."
          : "Nothing changed.";
  const issues = error instanceof ValidationError ? error.issues : [];
  c.header("hx-push-url", `/tickets/${encodeURIComponent(id)}`);
  const box = (
    <ErrorBox message={headline}>
      {issues.length > 0 ? null : <p>{error.message}</p>}
      {issues.length > 0 ? <IssueList issues={issues} /> : null}
    </ErrorBox>
  );
  const refill = { values: form, invalid: new Set(issues.map((i) => i.path)) };
  return ticketPage(c, deps, await loadTicket(deps, id), { error: box, status, refill });
}

/**
 * The approvals pages: `GET /` (the inbox of pending tickets, oldest first, live), `GET /fragments/inbox`,
 * `GET /tickets/:id` (one ticket: its forms while pending, its decision once decided) with its fragment, and
 * `POST /tickets/:id/approve` / `POST /tickets/:id/deny` (permission `tickets.decide`; the decider is the
 * signed-in principal).
 */
export function registerApprovalPages(ui: UiRouter, deps: UiDeps): void {
  const inbox = async (c: Context<UiEnv>) => {
    const cp = deps.controlPlane;
    const pending = await listPendingOldestFirst(cp);
    const items = await withTraces(cp, pending.slice(0, INBOX_CARDS));
    return (
      <Inbox
        items={items}
        total={pending.length}
        now={deps.now()}
        principal={c.get("principal")}
        csrf={c.get("csrf")}
      />
    );
  };
  ui.get("/", async (c) =>
    renderPage(
      c,
      { title: "Approvals", active: "approvals" },
      <LiveRegion id="inbox" src="/fragments/inbox" on={TICKET_REFRESH_TRIGGER}>
        {await inbox(c)}
      </LiveRegion>,
    ),
  );
  ui.get("/fragments/inbox", async (c) => renderFragment(c, await inbox(c)));

  ui.get("/tickets/:id", async (c) => ticketPage(c, deps, await loadTicket(deps, c.req.param("id"))));
  ui.get("/fragments/tickets/:id", async (c) => {
    const item = await loadTicket(deps, c.req.param("id"));
    return renderFragment(
      c,
      <TicketBlock item={item} now={deps.now()} principal={c.get("principal")} csrf={c.get("csrf")} />,
    );
  });

  ui.post("/tickets/:id/approve", async (c) => {
    const principal = uiAuthorize(c, "tickets.decide");
    const id = c.req.param("id");
    const form = await readForm(c);
    try {
      const t = await deps.controlPlane.approve(id, approveInputFrom(form, principal.name));
      const how = t.scope?.kind === "session" ? "for the session" : "once";
      return redirectWithNotice(c, returnPath(form, id), `Approved ${what(t)} (${how}) — ticket ${t.id}.`);
    } catch (error) {
      return decisionError(c, deps, id, form, error);
    }
  });
  ui.post("/tickets/:id/deny", async (c) => {
    const principal = uiAuthorize(c, "tickets.decide");
    const id = c.req.param("id");
    const form = await readForm(c);
    try {
      const t = await deps.controlPlane.deny(id, denyInputFrom(form, principal.name));
      return redirectWithNotice(c, returnPath(form, id), `Denied ${what(t)} — ticket ${t.id}.`);
    } catch (error) {
      return decisionError(c, deps, id, form, error);
    }
  });
}
