import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { assertOwnSessionFilter, authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { tailFeed } from "../feed-tail.js";
import { linkedSignal } from "../linked-signal.js";
import { BEARER, errorResponses, uuid } from "../schemas/common.js";
import { toEventFrame } from "../schemas/event-frame.js";

const FeedId = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).openapi({ type: "integer" });

const eventStream = createRoute({
  method: "get",
  path: "/v1/events/stream",
  operationId: "streamEvents",
  tags: ["Events"],
  summary: "The live feed as Server-Sent Events (resumable with Last-Event-ID)",
  description:
    "Each event: `id` = feed id, `event` = the exact event kind (`acp_kind`), `data` = the EventFrame JSON. " +
    "Starts after `Last-Event-ID` (header) or `after` (query) when given; otherwise at the current end of the " +
    "feed (nothing old is sent). A comment line is sent every 15 s to keep the connection open. An agent " +
    "token must give the session_id of one of its sessions.",
  security: BEARER,
  request: {
    headers: z.object({
      "last-event-id": FeedId.optional().openapi({
        param: { name: "last-event-id", in: "header" },
        description: "Last-Event-ID: resume after this feed id (sent by EventSource on reconnect)",
      }),
    }),
    query: z.object({ session_id: uuid().optional(), after: FeedId.optional() }),
  },
  responses: {
    200: {
      description: "An endless text/event-stream of EventFrame events",
      content: { "text/event-stream": { schema: z.string() } },
    },
    ...errorResponses(401, 403, 404, 422),
  },
});

/**
 * `GET /v1/events/stream`: follows the facade's global feed (woken by this process's commits, else every
 * `sse.pollIntervalMs`) and sends each new event; stops when the client disconnects or the app closes
 * (`HttpApp.close()`). A storage failure ends the stream with an `error` event (no detail); the client
 * reconnects with `Last-Event-ID` and misses nothing.
 */
export function registerEventStreamRoutes(app: HttpRouter, deps: HttpDeps): void {
  const { controlPlane: cp, shutdown, sse } = deps;
  app.openapi(eventStream, async (c) => {
    const principal = authorize(c, "read", "read.own");
    const q = c.req.valid("query");
    if (principal.role === "agent") {
      await assertOwnSessionFilter(cp, principal, q.session_id);
    } else if (q.session_id !== undefined) {
      await cp.getSession(q.session_id); // 404 now rather than an empty stream
    }
    const resumeFrom = c.req.valid("header")["last-event-id"] ?? q.after;
    const start = resumeFrom ?? (await cp.feedHead());
    const response = streamSSE(c, async (stream) => {
      const stop = linkedSignal(c.req.raw.signal, shutdown);
      const stopped = () => stop.signal.aborted || stream.aborted;
      try {
        await stream.write(": connected\n\n");
        const batches = tailFeed(cp, {
          after: start,
          signal: stop.signal,
          pollIntervalMs: sse.pollIntervalMs,
          keepAliveMs: sse.keepAliveMs,
          ...(q.session_id === undefined ? {} : { sessionId: q.session_id }),
        });
        for await (const events of batches) {
          if (stopped()) break;
          if (events.length === 0) await stream.write(": keep-alive\n\n");
          for (const e of events) {
            if (stopped()) break;
            await stream.writeSSE({ id: String(e.id), event: e.kind, data: JSON.stringify(toEventFrame(e)) });
          }
        }
      } catch {
        // A storage failure (or a closed storage): no detail to the client, which reconnects with Last-Event-ID.
        if (!stopped()) {
          const data = "feed unavailable: reconnect with Last-Event-ID";
          await stream.writeSSE({ event: "error", data }).catch(() => undefined); // the client may be gone too
        }
      } finally {
        stop.dispose();
      }
    });
    return response as never;
  });
}
