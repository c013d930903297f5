import type { SessionView } from "../../control-plane/views.js";
import { ValidationError } from "../../errors/validation-error.js";
import { SESSION_STATUSES, type SessionStatus } from "../../types/session.js";
import { Badge, BudgetBar, DataTable, LiveRegion, Time } from "../components.js";

/**
 * A short form of an id for tables: its last 8 characters (ids are UUIDv7, whose first characters are the
 * creation time and so alike for ids made close together).
 */
export function shortId(id: string): string {
  return `…${id.slice(-8)}`;
}

/** Sessions shown per page of the list. */
export const SESSIONS_PER_PAGE = 25;

/** The list's filters and page, read from the query string. */
export interface SessionListQuery {
  readonly status: SessionStatus | undefined;
  readonly agent: string | undefined;
  /** 1-based page number. */
  readonly page: number;
}

/**
 * Reads `status`, `agent` and `page` from the query string (empty values mean "any").
 * @throws ValidationError naming `status` or `page`.
 */
export function parseSessionListQuery(query: Record<string, string>): SessionListQuery {
  const status = query.status?.trim() || undefined;
  const agent = query.agent?.trim() || undefined;
  const pageText = query.page?.trim() || "1";
  const page = Number(pageText);
  const issues: { path: string; message: string; received?: unknown }[] = [];
  if (status !== undefined && !(SESSION_STATUSES as readonly string[]).includes(status)) {
    issues.push({
      path: "status",
      message: `expected one of ${SESSION_STATUSES.join(", ")}`,
      received: status,
    });
  }
  if (!Number.isSafeInteger(page) || page < 1 || page > 1000) {
    issues.push({ path: "page", message: "expected a page number from 1 to 1000", received: pageText });
  }
  if (issues.length > 0) throw new ValidationError(issues, "session list filters");
  return { status: status as SessionStatus | undefined, agent, page };
}

/** The query string of the list for `q` (with another page when given), without a leading `?`. */
export function sessionListSearch(q: SessionListQuery, page = q.page): string {
  const params = new URLSearchParams();
  if (q.status) params.set("status", q.status);
  if (q.agent) params.set("agent", q.agent);
  if (page > 1) params.set("page", String(page));
  return params.toString();
}

/** The GET form filtering the list by status and agent (works without JavaScript). */
export function SessionFilters(props: { query: SessionListQuery }) {
  const q = props.query;
  return (
    <form class="filters" method="get" action="/sessions" aria-label="Filter sessions">
      <div>
        <label for="filter-status">Status</label>
        <select id="filter-status" name="status">
          <option value="" selected={q.status === undefined}>
            any
          </option>
          {SESSION_STATUSES.map((s) => (
            <option value={s} selected={q.status === s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="filter-agent">Agent id</label>
        <input id="filter-agent" name="agent" type="text" value={q.agent ?? ""} autocomplete="off" />
      </div>
      <button type="submit">Filter</button>
      {q.status || q.agent ? (
        <a class="button" href="/sessions">
          Clear
        </a>
      ) : null}
    </form>
  );
}

/** One session's budget: cost used of max and actions used of max. */
export function SessionBudget(props: { session: SessionView }) {
  const b = props.session.budget;
  return (
    <span class="session-budget">
      <BudgetBar used={b.usedCost} max={b.maxCost} label="cost used" />
      <span class="muted"> cost</span>
      <br />
      <BudgetBar
        used={String(b.usedActions)}
        max={b.maxActions === null ? null : String(b.maxActions)}
        label="actions used"
      />
      <span class="muted"> actions</span>
    </span>
  );
}

/** Events that change a row of the sessions list (status, or budget spent). */
const SESSION_LIST_TRIGGERS = [
  "session_opened",
  "session_activated",
  "session_paused",
  "session_resumed",
  "session_completed",
  "session_aborted",
  "proposal_decided",
  "execution_completed",
  "execution_failed",
]
  .map((k) => `sse:${k}`)
  .join(", ");

/**
 * The live block of the sessions list: its content is re-fetched from `/fragments/sessions` (same filters and
 * page) when a session changes or spends budget.
 */
export function LiveSessionTable(props: {
  sessions: readonly SessionView[];
  query: SessionListQuery;
  more: boolean;
}) {
  const search = sessionListSearch(props.query);
  return (
    <LiveRegion
      id="sessions-table"
      src={`/fragments/sessions${search ? `?${search}` : ""}`}
      on={SESSION_LIST_TRIGGERS}
    >
      <SessionTable {...props} />
    </LiveRegion>
  );
}

/** The sessions table with its pager (the content of {@link LiveSessionTable}). */
export function SessionTable(props: {
  sessions: readonly SessionView[];
  query: SessionListQuery;
  more: boolean;
}) {
  const q = props.query;
  const filtered = q.status !== undefined || q.agent !== undefined;
  return (
    <>
      {props.sessions.length === 0 ? (
        <p class="card empty">
          {filtered ? "No sessions match these filters." : "No sessions yet."}
          {q.page > 1 ? " (This page is past the end.)" : ""}
        </p>
      ) : (
        <DataTable
          caption="Sessions, newest first"
          head={["Status", "Name", "Agent", "Budget used", "Created", "Updated"]}
        >
          {props.sessions.map((s) => (
            <tr>
              <td>
                <Badge value={s.status} />
              </td>
              <td>
                <a href={`/sessions/${s.id}`}>{s.name ?? shortId(s.id)}</a>
                {s.name ? <div class="muted small nowrap">{shortId(s.id)}</div> : null}
              </td>
              <td class="nowrap">
                {s.agentId ? (
                  <a href={`/agents#agent-${s.agentId}`}>{s.agentId}</a>
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
              <td>
                <SessionBudget session={s} />
              </td>
              <td>
                <Time at={s.createdAt} />
              </td>
              <td>
                <Time at={s.updatedAt} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pager
        base="/sessions"
        page={q.page}
        more={props.more}
        search={(p) => sessionListSearch(q, p)}
        label="Sessions pages"
      />
    </>
  );
}

/** Previous / next page links (plain links: they work without JavaScript). */
export function Pager(props: {
  base: string;
  page: number;
  more: boolean;
  search: (page: number) => string;
  label: string;
  fragment?: string;
}) {
  if (props.page <= 1 && !props.more) return null;
  const href = (p: number) => {
    const s = props.search(p);
    return `${props.base}${s ? `?${s}` : ""}${props.fragment ?? ""}`;
  };
  return (
    <nav class="pager" aria-label={props.label}>
      {props.page > 1 ? (
        <a href={href(props.page - 1)} rel="prev">
          ← Newer
        </a>
      ) : null}
      <span class="muted">Page {props.page}</span>
      {props.more ? (
        <a href={href(props.page + 1)} rel="next">
          Older →
        </a>
      ) : null}
    </nav>
  );
}
