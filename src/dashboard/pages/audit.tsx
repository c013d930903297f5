import type { Context } from "hono";
import { ValidationError } from "../../errors/validation-error.js";
import { toEventFrame } from "../../http/schemas/event-frame.js";
import { EVENT_KINDS } from "../../types/event.js";
import { renderPage } from "../render.js";
import type { UiDeps, UiEnv, UiRouter } from "../ui-context.js";
import {
  type AuditFilter,
  allAuditEvents,
  auditFilterQuery,
  parseAuditFilter,
  readAuditPage,
} from "./audit-query.js";
import { AUDIT_HEAD, AuditRow, readableKind } from "./audit-row.js";

/** Rows of one audit page. */
const PAGE_SIZE = 50;

/** The `before` cursor of an "older" link: a positive feed id, or absent. */
function parseBefore(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ValidationError(
      [{ path: "before", message: "expected a positive event id", received: value }],
      "audit page",
    );
  }
  return n;
}

/** The GET form of the filters (works without JavaScript; htmx boosts it). */
function AuditFilters(props: { filter: AuditFilter }) {
  const f = props.filter;
  const kind = f.kinds?.length === 1 ? f.kinds[0] : undefined;
  return (
    <form method="get" action="/audit" class="filters">
      <div>
        <label for="audit-session">Session id</label>
        <input id="audit-session" name="session_id" type="text" value={f.sessionId ?? ""} />
      </div>
      <div>
        <label for="audit-agent">Agent id</label>
        <input id="audit-agent" name="agent_id" type="text" value={f.agentId ?? ""} />
      </div>
      <div>
        <label for="audit-kind">Event</label>
        <select id="audit-kind" name="kind">
          <option value="">All events</option>
          {f.kinds !== undefined && f.kinds.length > 1 ? (
            <option value={f.kinds.join(",")} selected>
              {f.kinds.map(readableKind).join(", ")}
            </option>
          ) : null}
          {EVENT_KINDS.map((k) => (
            <option value={k} selected={k === kind}>
              {readableKind(k)}
            </option>
          ))}
        </select>
      </div>
      <div class="actions">
        <button type="submit" class="primary">
          Filter
        </button>
        <a class="button" href="/audit">
          Clear
        </a>
      </div>
    </form>
  );
}

async function auditPage(c: Context<UiEnv>, deps: UiDeps): Promise<Response> {
  const filter = parseAuditFilter(c.req.query());
  const before = parseBefore(c.req.query("before"));
  const page = await readAuditPage(deps.controlPlane, filter, {
    limit: PAGE_SIZE,
    ...(before === undefined ? {} : { before }),
  });
  const query = auditFilterQuery(filter);
  const amp = query === "" ? "" : `&${query}`;
  const filtered = query !== "";
  const body = (
    <>
      <AuditFilters filter={filter} />
      <p class="actions audit-tools">
        <a
          class="button"
          href={`/audit/export.jsonl${query === "" ? "" : `?${query}`}`}
          download
          hx-boost="false"
        >
          Export {filtered ? "matching events" : "all events"} (JSONL)
        </a>
        {before === undefined ? (
          <span class="muted live-note" role="status">
            Live: new {filtered ? "matching " : ""}events appear at the top.
          </span>
        ) : (
          <a href={`/audit${query === "" ? "" : `?${query}`}`}>Back to the newest events</a>
        )}
      </p>
      <div class="table-wrap">
        <table class="audit">
          <caption class="skip">Audit events, newest first</caption>
          <thead>
            <tr>
              {AUDIT_HEAD.map((h) => (
                <th scope="col">{h}</th>
              ))}
            </tr>
          </thead>
          {/* The live tail (only on the newest page): each matching event's row is prepended. */}
          <tbody
            id="audit-rows"
            {...(before === undefined ? { "sse-swap": "row", "hx-swap": "afterbegin" } : {})}
          >
            {page.events.map((e) => (
              <AuditRow event={e} />
            ))}
          </tbody>
        </table>
      </div>
      {page.events.length === 0 ? (
        <p class="empty muted" id="audit-empty">
          {page.partial
            ? "No matching events in this stretch of the log."
            : filtered
              ? "No events match these filters."
              : "No events yet."}
        </p>
      ) : null}
      {page.older === undefined ? (
        page.events.length > 0 ? (
          <p class="muted">This is the start of the log.</p>
        ) : null
      ) : (
        <p>
          <a href={`/audit?before=${page.older}${amp}`} rel="next">
            {page.partial ? "Search older events" : "Older events"}
          </a>
        </p>
      )}
    </>
  );
  return renderPage(
    c,
    {
      title: "Audit log",
      active: "audit",
      // `after`: the newest event the page shows, for the tail to resume after it (nothing missed between the
      // page and the connection; /ui/stream ignores it until it supports it, see the report).
      ...(before === undefined
        ? { streamQuery: [query, `after=${page.head}`].filter((q) => q !== "").join("&") }
        : {}),
    },
    body,
  );
}

/** A file name for the export, with the time and the filters' gist (no characters a shell would mind). */
function exportName(filter: AuditFilter, now: number): string {
  const parts = ["acp-audit", new Date(now).toISOString().slice(0, 19).replaceAll(":", "")];
  if (filter.sessionId !== undefined) parts.push(`session-${filter.sessionId.slice(0, 8)}`);
  if (filter.agentId !== undefined) parts.push(`agent-${filter.agentId}`);
  return `${parts.join("_").replace(/[^A-Za-z0-9._-]/g, "-")}.jsonl`;
}

/**
 * The Audit log: `GET /audit` (the feed as a table, newest first, filtered by session, agent and kind, paged
 * with `before=`, live tail of new matching events) and `GET /audit/export.jsonl` (every matching event, one
 * contract `EventFrame` JSON object a line, oldest first, streamed page by page). Reading needs `read`, which
 * every dashboard role has.
 */
export function registerAuditPages(ui: UiRouter, deps: UiDeps): void {
  ui.get("/audit", (c) => auditPage(c, deps));
  ui.get("/audit/export.jsonl", (c) => {
    const filter = parseAuditFilter(c.req.query());
    const events = allAuditEvents(deps.controlPlane, filter);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const lines: string[] = [];
        try {
          // Flush in chunks of up to 200 lines: one read of the feed per chunk at most.
          while (lines.length < 200) {
            const next = await events.next();
            if (next.done) break;
            lines.push(`${JSON.stringify(toEventFrame(next.value))}\n`);
          }
        } catch (error) {
          controller.error(error);
          return;
        }
        if (lines.length > 0) controller.enqueue(encoder.encode(lines.join("")));
        else controller.close();
      },
      async cancel() {
        await events.return(undefined);
      },
    });
    return c.body(body, 200, {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="${exportName(filter, deps.now())}"`,
    });
  });
}
