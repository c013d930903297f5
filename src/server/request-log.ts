import type { RequestLogLine } from "../http/access-log.js";
import type { EventRecord } from "../types/event.js";
import type { LogFormat } from "./serve-config.js";

/** Writes one finished log line (to stdout in `acp serve`). */
export type LogSink = (line: string) => void;

/** The server's logger: requests, state changes and its own messages, as text or JSON lines. */
export interface ServerLog {
  request(line: RequestLogLine): void;
  stateChange(event: EventRecord): void;
  /** A message of the server itself (`info`) or a fault (`error`), with optional fields. */
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

const iso = (ms: number) => new Date(ms).toISOString();

function textFields(fields: Readonly<Record<string, unknown>>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
}

/**
 * Creates the logger of `acp serve`. `json` writes one JSON object per line (`type` is `request`,
 * `state_change`, `info` or `error`); `text` writes readable lines. Request lines carry method, path, status,
 * duration, principal and request id; state-change lines the event's kind and ids but never its payload
 * (proposal arguments may hold personal data). Nothing logged carries a token or an `Authorization` header.
 */
export function createServerLog(format: LogFormat, sink: LogSink, now: () => number = Date.now): ServerLog {
  const emit = (type: string, at: number, text: string, fields: Record<string, unknown>) => {
    if (format === "json") sink(JSON.stringify({ at: iso(at), type, ...fields }));
    else sink(`${iso(at)} ${text}`);
  };
  return {
    request(l) {
      const who = l.principal === null ? "-" : `${l.principal.role}:${l.principal.name}`;
      emit("request", l.at, `${l.method} ${l.path} ${l.status} ${l.durationMs}ms ${who} req=${l.requestId}`, {
        method: l.method,
        path: l.path,
        status: l.status,
        duration_ms: l.durationMs,
        principal: l.principal?.name ?? null,
        role: l.principal?.role ?? null,
        request_id: l.requestId,
      });
    },
    stateChange(e) {
      const fields = {
        event_id: e.id,
        kind: e.kind,
        session_id: e.sessionId,
        seq: e.seq,
        agent_id: e.agentId,
        proposal_id: e.proposalId,
        ticket_id: e.ticketId,
      };
      const { kind: _kind, ...rest } = fields;
      emit("state_change", e.at, `event ${e.kind} ${textFields(rest)}`, fields);
    },
    info(message, fields = {}) {
      const extra = textFields(fields);
      emit("info", now(), extra ? `${message} ${extra}` : message, { message, ...fields });
    },
    error(message, fields = {}) {
      const extra = textFields(fields);
      emit("error", now(), `ERROR ${message}${extra ? ` ${extra}` : ""}`, { message, ...fields });
    },
  };
}
