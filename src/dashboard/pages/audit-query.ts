import type { ControlPlane } from "../../control-plane/control-plane.js";
import { ValidationError } from "../../errors/validation-error.js";
import { EVENT_KINDS, type EventKind, type EventRecord } from "../../types/event.js";

/** The filters of the audit page, its live tail and its export (all optional: everything). */
export interface AuditFilter {
  readonly sessionId?: string;
  readonly agentId?: string;
  /** One or more kinds (`kind=a,b` in a URL); absent: every kind. */
  readonly kinds?: readonly EventKind[];
}

/** Events the feed is read in at once while scanning it. */
const WINDOW = 500;
/** Most events one audit page looks at before it stops and offers to continue ("older"). */
const SCAN_BUDGET = 10_000;

/**
 * Reads the filters from a query (`session_id`, `agent_id`, `kind`, as the GET form and `/ui/stream` name
 * them); blank values mean "any".
 * @throws ValidationError naming `kind` for an unknown event kind, `before` for a bad cursor.
 */
export function parseAuditFilter(query: Readonly<Record<string, string | undefined>>): AuditFilter {
  const text = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());
  const sessionId = text(query.session_id);
  const agentId = text(query.agent_id);
  const kinds = (text(query.kind) ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k !== "");
  const unknown = kinds.filter((k) => !(EVENT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ValidationError(
      [{ path: "kind", message: `unknown event kind ${unknown.join(", ")}`, received: query.kind }],
      "audit filter",
    );
  }
  return {
    ...(sessionId === undefined ? {} : { sessionId }),
    ...(agentId === undefined ? {} : { agentId }),
    ...(kinds.length > 0 ? { kinds: kinds as EventKind[] } : {}),
  };
}

/** The filter as a query string (`session_id=…&agent_id=…&kind=…`), empty when it filters nothing. */
export function auditFilterQuery(f: AuditFilter): string {
  const q = new URLSearchParams();
  if (f.sessionId !== undefined) q.set("session_id", f.sessionId);
  if (f.agentId !== undefined) q.set("agent_id", f.agentId);
  if (f.kinds !== undefined) q.set("kind", f.kinds.join(","));
  return q.toString();
}

/** Whether an event passes the filter. */
export function matchesAudit(e: EventRecord, f: AuditFilter): boolean {
  return (
    (f.sessionId === undefined || e.sessionId === f.sessionId) &&
    (f.agentId === undefined || e.agentId === f.agentId) &&
    (f.kinds === undefined || f.kinds.includes(e.kind))
  );
}

/** One page of the audit log, newest first. */
export interface AuditPage {
  readonly events: readonly EventRecord[];
  /** Cursor of the next older page (`before=`), or `undefined` at the start of the feed. */
  readonly older: number | undefined;
  /** Whether the page stopped at the scan budget with fewer rows than asked (the "older" link continues). */
  readonly partial: boolean;
  /** The newest feed id the page could show (the live tail continues after it). */
  readonly head: number;
}

/**
 * The newest `limit` events matching `filter` with a feed id below `before` (default: all), newest first.
 * The feed reads forward only and filters by session only, so this walks it backwards in windows of ids,
 * filtering agent and kind here, and looks at no more than a bounded number of events per page.
 */
export async function readAuditPage(
  cp: ControlPlane,
  filter: AuditFilter,
  options: { before?: number; limit: number },
): Promise<AuditPage> {
  const head = options.before === undefined ? await cp.feedHead() : options.before - 1;
  let upper = head + 1; // exclusive
  const found: EventRecord[] = [];
  let scanned = 0;
  while (upper > 1 && found.length < options.limit && scanned < SCAN_BUDGET) {
    const afterId = Math.max(0, upper - 1 - WINDOW);
    const batch = await cp.feed({
      afterId,
      limit: WINDOW + 1,
      ...(filter.sessionId === undefined ? {} : { sessionId: filter.sessionId }),
    });
    const hits = batch.filter((e) => e.id < upper && matchesAudit(e, filter));
    found.push(...hits.reverse());
    scanned += upper - 1 - afterId;
    upper = afterId + 1;
  }
  if (found.length > options.limit) {
    const events = found.slice(0, options.limit);
    return { events, older: events[events.length - 1]!.id, partial: false, head };
  }
  return {
    events: found,
    older: upper > 1 ? upper : undefined,
    partial: upper > 1 && found.length < options.limit,
    head,
  };
}

/**
 * Every event matching `filter` up to the feed's head when called, oldest first, read page by page (for the
 * JSONL export: memory stays bounded whatever the log's size).
 */
export async function* allAuditEvents(
  cp: ControlPlane,
  filter: AuditFilter,
): AsyncGenerator<EventRecord, void, undefined> {
  const head = await cp.feedHead();
  let after = 0;
  while (after < head) {
    const batch = await cp.feed({
      afterId: after,
      limit: WINDOW,
      ...(filter.sessionId === undefined ? {} : { sessionId: filter.sessionId }),
    });
    if (batch.length === 0) return;
    for (const e of batch) {
      if (e.id > head) return;
      if (matchesAudit(e, filter)) yield e;
    }
    after = batch[batch.length - 1]!.id;
  }
}
