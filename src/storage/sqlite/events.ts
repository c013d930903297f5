import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { EventKind, EventRecord } from "../../types/event.js";
import type { JsonObject } from "../../types/json.js";
import type { EventStore } from "../storage.js";
import type { SqlConnection, SqlRow } from "./driver.js";
import { fromJson, int, runSql, runValues, str, toJson } from "./sql-run.js";

const toEvent = (r: SqlRow): EventRecord => ({
  id: Number(r.id),
  sessionId: str(r.session_id),
  seq: int(r.seq),
  kind: r.kind as EventKind,
  agentId: str(r.agent_id),
  proposalId: str(r.proposal_id),
  ticketId: str(r.ticket_id),
  payload: fromJson<JsonObject>(r.payload),
  at: Number(r.at),
});

const INSERT_SQL = `INSERT INTO acp_events (session_id, seq, kind, agent_id, proposal_id, ticket_id, payload, at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

const NEXT_SEQ_SQL = "UPDATE acp_sessions SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq";

/** SQLite implementation of {@link EventStore}. */
export function sqliteEvents(conn: SqlConnection): EventStore {
  return {
    async append(e) {
      let seq: number | null = null;
      if (e.sessionId !== null) {
        // Append-with-next-seq: advance the session's counter and take the new value in one statement.
        const rows = await runValues(conn, NEXT_SEQ_SQL, [e.sessionId]);
        if (!rows[0]) throw new ControlPlaneError("not_found", `session ${e.sessionId} not found`);
        seq = Number(rows[0][0]);
      }
      const agentId = e.agentId ?? null;
      const proposalId = e.proposalId ?? null;
      const ticketId = e.ticketId ?? null;
      const inserted = await runSql(
        conn,
        INSERT_SQL,
        [e.sessionId, seq, e.kind, agentId, proposalId, ticketId, toJson(e.payload), e.at],
        { conflict: `event seq ${seq} of session ${e.sessionId} already exists` },
      );
      // The rowid as the driver reports it (no RETURNING: cheaper); ask SQLite if a driver does not.
      const id =
        inserted.lastInsertRowid ??
        Number((await runSql(conn, "SELECT last_insert_rowid() AS id")).rows[0]!.id);
      return {
        id,
        sessionId: e.sessionId,
        seq,
        kind: e.kind,
        agentId,
        proposalId,
        ticketId,
        payload: e.payload,
        at: e.at,
      };
    },
    async list(sessionId, q) {
      const { rows } = await runSql(
        conn,
        "SELECT * FROM acp_events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        [sessionId, q.afterSeq ?? 0, q.limit],
      );
      return rows.map(toEvent);
    },
    async feed(q) {
      const { rows } =
        q.sessionId === undefined
          ? await runSql(conn, "SELECT * FROM acp_events WHERE id > ? ORDER BY id LIMIT ?", [
              q.afterId ?? 0,
              q.limit,
            ])
          : await runSql(
              conn,
              "SELECT * FROM acp_events WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?",
              [q.sessionId, q.afterId ?? 0, q.limit],
            );
      return rows.map(toEvent);
    },
  };
}
