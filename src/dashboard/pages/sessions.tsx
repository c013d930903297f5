import type { Context } from "hono";
import { can } from "../../auth/roles.js";
import type { SessionView } from "../../control-plane/views.js";
import { ValidationError } from "../../errors/validation-error.js";
import { actorOf } from "../../http/authorize.js";
import { LiveRegion } from "../components.js";
import { redirectWithNotice, renderFragment, renderPage } from "../render.js";
import { readForm, uiAuthorize } from "../ui-auth.js";
import type { UiDeps, UiEnv, UiRouter } from "../ui-context.js";
import {
  CONTROLS_SYNC,
  ProposalTable,
  SessionControls,
  SessionFacts,
  statusActor,
  TicketTable,
  Timeline,
  timelineWindow,
} from "./session-detail.js";
import {
  LiveSessionTable,
  parseSessionListQuery,
  SESSIONS_PER_PAGE,
  SessionFilters,
  type SessionListQuery,
  SessionTable,
  shortId,
} from "./session-list.js";

/** Proposals and tickets shown on a session's page (the newest). */
const DETAIL_LIST_LIMIT = 50;

/**
 * Events that may change which controls apply (any session's: the stream's kind events are not filtered; the
 * typed reasons survive a refresh, their inputs are `hx-preserve`d).
 */
const STATUS_TRIGGERS = [
  "session_activated",
  "session_paused",
  "session_resumed",
  "session_completed",
  "session_aborted",
]
  .map((k) => `sse:${k}`)
  .join(", ");

/** Longest reason accepted from a form. */
const MAX_REASON = 500;

async function loadList(deps: UiDeps, q: SessionListQuery) {
  const found = await deps.controlPlane.listSessions({
    ...(q.status ? { statuses: [q.status] } : {}),
    ...(q.agent ? { agentId: q.agent } : {}),
    limit: SESSIONS_PER_PAGE + 1,
    offset: (q.page - 1) * SESSIONS_PER_PAGE,
  });
  return { sessions: found.slice(0, SESSIONS_PER_PAGE), query: q, more: found.length > SESSIONS_PER_PAGE };
}

function timelinePage(c: Context<UiEnv>): number {
  const n = Number(c.req.query("page") ?? "1");
  return Number.isSafeInteger(n) && n >= 1 ? n : 1;
}

/** The live part of a session's page below its controls: timeline page, proposals, tickets. */
async function SessionActivity(props: { deps: UiDeps; session: SessionView; page: number }) {
  const cp = props.deps.controlPlane;
  const s = props.session;
  const w = timelineWindow(s.lastSeq, props.page);
  const [events, proposals, tickets] = await Promise.all([
    s.lastSeq === 0 ? Promise.resolve([]) : cp.events(s.id, { afterSeq: w.afterSeq, limit: w.limit }),
    cp.listProposals({ sessionId: s.id, limit: DETAIL_LIST_LIMIT }),
    cp.listTickets({ sessionId: s.id, limit: DETAIL_LIST_LIMIT }),
  ]);
  return (
    <>
      <Timeline session={s} events={events} page={props.page} more={w.more} />
      <ProposalTable proposals={proposals} />
      <TicketTable tickets={tickets} />
    </>
  );
}

/** A reason field: trimmed, empty → undefined. @throws ValidationError naming `reason` when too long. */
function reasonField(form: URLSearchParams): string | undefined {
  const reason = (form.get("reason") ?? "").trim();
  if (reason.length > MAX_REASON) {
    throw new ValidationError([{ path: "reason", message: `at most ${MAX_REASON} characters` }]);
  }
  return reason === "" ? undefined : reason;
}

/**
 * The Sessions pages: `GET /sessions` (filters by status and agent, paged, live), `GET /sessions/:id` (facts,
 * audit timeline newest first, proposals, tickets, live; Pause / Resume / Abort for `sessions.control`), their
 * live fragments under `/fragments/`, and `POST /sessions/:id/{pause,resume,abort}`.
 */
export function registerSessionPages(ui: UiRouter, deps: UiDeps): void {
  const cp = deps.controlPlane;

  ui.get("/sessions", async (c) => {
    const list = await loadList(deps, parseSessionListQuery(c.req.query()));
    return renderPage(
      c,
      { title: "Sessions", active: "sessions" },
      <>
        <SessionFilters query={list.query} />
        <LiveSessionTable {...list} />
      </>,
    );
  });

  ui.get("/fragments/sessions", async (c) =>
    renderFragment(c, <SessionTable {...(await loadList(deps, parseSessionListQuery(c.req.query())))} />),
  );

  ui.get("/sessions/:id", async (c) => {
    const session = await cp.getSession(c.req.param("id"));
    const page = timelinePage(c);
    const [activity, by] = await Promise.all([
      SessionActivity({ deps, session, page }),
      statusActor(cp, session),
    ]);
    const base = `/fragments/sessions/${session.id}`;
    return renderPage(
      c,
      {
        title: `Session ${session.name ?? shortId(session.id)}`,
        active: "sessions",
        streamQuery: `session_id=${encodeURIComponent(session.id)}`,
      },
      <>
        <p>
          <a href="/sessions">← All sessions</a>
        </p>
        <LiveRegion id="session-live" src={`${base}/facts`} on="sse:row">
          <SessionFacts session={session} by={by} />
        </LiveRegion>
        {can(c.get("principal"), "sessions.control") ? (
          <LiveRegion
            id="session-controls"
            src={`${base}/controls`}
            on={STATUS_TRIGGERS}
            sync={CONTROLS_SYNC}
          >
            <SessionControls session={session} csrf={c.get("csrf")} />
          </LiveRegion>
        ) : null}
        <LiveRegion
          id="session-activity"
          src={`${base}/activity${page > 1 ? `?page=${page}` : ""}`}
          on="sse:row"
        >
          {activity}
        </LiveRegion>
      </>,
    );
  });

  ui.get("/fragments/sessions/:id/facts", async (c) => {
    const session = await cp.getSession(c.req.param("id"));
    return renderFragment(c, <SessionFacts session={session} by={await statusActor(cp, session)} />);
  });

  ui.get("/fragments/sessions/:id/controls", async (c) => {
    const session = await cp.getSession(c.req.param("id"));
    if (!can(c.get("principal"), "sessions.control")) return renderFragment(c, null);
    return renderFragment(c, <SessionControls session={session} csrf={c.get("csrf")} />);
  });

  ui.get("/fragments/sessions/:id/activity", async (c) => {
    const session = await cp.getSession(c.req.param("id"));
    return renderFragment(c, await SessionActivity({ deps, session, page: timelinePage(c) }));
  });

  ui.post("/sessions/:id/pause", async (c) => {
    const principal = uiAuthorize(c, "sessions.control");
    const id = c.req.param("id");
    const reason = reasonField(await readForm(c)) ?? `paused by ${principal.name}`;
    await cp.pauseSession(id, reason, { actor: actorOf(principal) });
    return redirectWithNotice(
      c,
      `/sessions/${id}`,
      "Session paused: its proposals are denied until resumed.",
    );
  });

  ui.post("/sessions/:id/resume", async (c) => {
    const principal = uiAuthorize(c, "sessions.control");
    const id = c.req.param("id");
    await cp.resumeSession(id, { actor: actorOf(principal) });
    return redirectWithNotice(c, `/sessions/${id}`, "Session resumed.");
  });

  ui.post("/sessions/:id/abort", async (c) => {
    const principal = uiAuthorize(c, "sessions.control");
    const id = c.req.param("id");
    const reason = reasonField(await readForm(c));
    if (reason === undefined) {
      throw new ValidationError([{ path: "reason", message: "a reason is required to abort a session" }]);
    }
    await cp.abortSession(id, reason, { actor: actorOf(principal) });
    return redirectWithNotice(
      c,
      `/sessions/${id}`,
      "Session aborted: pending tickets denied, proposals refused.",
    );
  });
}
