import { streamSSE } from "hono/streaming";
import { ValidationError } from "../errors/validation-error.js";
import { tailFeed } from "../http/feed-tail.js";
import { linkedSignal } from "../http/linked-signal.js";
import { EVENT_KINDS, type EventKind, type EventRecord } from "../types/event.js";
import { AuditRow } from "./pages/audit-row.js";
import { currentSignIn } from "./ui-auth.js";
import type { UiDeps, UiRouter } from "./ui-context.js";

/** Filters of the `row` events of `/ui/stream`. */
interface RowFilter {
  readonly sessionId?: string;
  readonly agentId?: string;
  readonly kinds?: ReadonlySet<EventKind>;
}

function matches(e: EventRecord, f: RowFilter): boolean {
  return (
    (f.sessionId === undefined || e.sessionId === f.sessionId) &&
    (f.agentId === undefined || e.agentId === f.agentId) &&
    (f.kinds === undefined || f.kinds.has(e.kind))
  );
}

function rowFilter(query: Record<string, string>): RowFilter {
  const kinds = query.kind ? query.kind.split(",").filter((k) => k !== "") : [];
  const unknown = kinds.filter((k) => !(EVENT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ValidationError([
      { path: "kind", message: `unknown event kind ${unknown.join(", ")}`, received: query.kind },
    ]);
  }
  return {
    ...(query.session_id ? { sessionId: query.session_id } : {}),
    ...(query.agent_id ? { agentId: query.agent_id } : {}),
    ...(kinds.length > 0 ? { kinds: new Set(kinds as EventKind[]) } : {}),
  };
}

/** A feed id given as text, or `undefined` when it is not one. */
function feedId(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,16}$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * `GET /ui/stream`: the dashboard's live connection (Server-Sent Events, read by the htmx SSE extension).
 * After `after` (the feed id the page rendered at), else the current end of the feed (after `Last-Event-ID` on a
 * reconnect), every new event is sent twice: as an event named after its kind (data:
 * the feed id) that pages hook refreshes onto (`hx-trigger="sse:approval_requested"`), and as a `row` event
 * whose data is the audit-table row (HTML), for the events matching `session_id`, `agent_id` and `kind`
 * (comma-separated) when given. Ends when the browser leaves, the server shuts down or the sign-in ends: the
 * sign-in is checked again before each batch of events and each keep-alive, so a revoked or expired token
 * receives nothing more.
 */
export function registerUiStream(ui: UiRouter, deps: UiDeps): void {
  ui.get("/ui/stream", async (c) => {
    const filter = rowFilter(c.req.query());
    // HEAD (routed here as GET): the headers only; a stream nobody reads would stay blocked until disconnect.
    if (c.req.method === "HEAD") return c.body(null, 200, { "content-type": "text/event-stream" });
    // EventSource reconnects with Last-Event-ID: resume there so that nothing is missed; a first connection
    // starts after the page's own `after` (the feed head it rendered at), else at the current head.
    const last = feedId(c.req.header("last-event-id"));
    const after = c.req.query("after");
    if (after !== undefined && feedId(after) === undefined) {
      throw new ValidationError([
        { path: "after", message: "expected a feed id (a non-negative integer)", received: after },
      ]);
    }
    const start = last ?? feedId(after) ?? (await deps.controlPlane.feedHead());
    return streamSSE(c, async (stream) => {
      const stop = linkedSignal(c.req.raw.signal, deps.shutdown);
      try {
        await stream.write(": connected\n\n");
        const batches = tailFeed(deps.controlPlane, {
          after: start,
          signal: stop.signal,
          pollIntervalMs: deps.sse.pollIntervalMs,
          keepAliveMs: deps.sse.keepAliveMs,
        });
        for await (const events of batches) {
          if (stream.aborted) break;
          // Nothing more once the sign-in has ended (token revoked or expired, sign-in run out).
          const signIn = await currentSignIn(c, deps);
          if (signIn === undefined || signIn.principal.role === "agent") break;
          if (events.length === 0) await stream.write(": keep-alive\n\n");
          for (const e of events) {
            await stream.writeSSE({ event: e.kind, data: String(e.id), id: String(e.id) });
            if (matches(e, filter)) {
              await stream.writeSSE({ event: "row", data: String(<AuditRow event={e} />) });
            }
          }
        }
      } catch {
        // The feed failed: the browser's EventSource reconnects by itself.
      } finally {
        stop.dispose();
      }
    });
  });
}
