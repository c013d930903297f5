import { auditChainSwitch, linkEvent } from "../../engines/audit/chain-link.js";
import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { ChainedEvent, ChainHead } from "../../types/audit-chain.js";
import type { EventKind, EventRecord } from "../../types/event.js";
import type { JsonObject } from "../../types/json.js";
import type { EventStore } from "../storage.js";
import type { ChainHeadCache } from "./chain-head-cache.js";
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

const INSERT_SQL = `INSERT INTO acp_events (session_id, seq, kind, agent_id, proposal_id, ticket_id, payload, at,
  chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Allocates the next seq and reads the session's chain head in the same statement. */
const NEXT_SEQ_SQL =
  "UPDATE acp_sessions SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq, chain_head";

/** The append of before the chain (benchmark comparison only, see `auditChainSwitch`). */
const PLAIN_NEXT_SEQ_SQL = "UPDATE acp_sessions SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq";

const SET_HEAD_SQL = "UPDATE acp_sessions SET chain_head = ? WHERE id = ?";

/** Advances the counter and the head from a known `(last_seq, chain_head)`; changes nothing if they moved. */
const ADVANCE_SQL =
  "UPDATE acp_sessions SET last_seq = ?, chain_head = ? WHERE id = ? AND last_seq = ? AND chain_head IS ?";

const toChained = (r: SqlRow): ChainedEvent => ({ event: toEvent(r), chainHash: str(r.chain_hash) });

const toHead = (r: SqlRow): ChainHead => ({
  sessionId: String(r.id),
  lastSeq: Number(r.last_seq),
  link: str(r.chain_head),
});

/**
 * SQLite implementation of {@link EventStore}. With `heads` (the write connection's {@link ChainHeadCache}), an
 * append to a session whose counter and head are known is one guarded UPDATE plus the insert.
 */
export function sqliteEvents(conn: SqlConnection, heads?: ChainHeadCache): EventStore {
  return {
    async append(e) {
      let seq: number | null = null;
      let link: string | null = null;
      let headWritten = false;
      if (e.sessionId !== null) {
        const chained = auditChainSwitch.enabled;
        const known = chained ? heads?.get(e.sessionId) : undefined;
        if (known !== undefined) {
          // Guarded by both columns: a stale entry changes nothing and falls back below.
          const next = known.lastSeq + 1;
          const nextLink = linkEvent(known.head, e);
          const advanced = await runSql(conn, ADVANCE_SQL, [
            next,
            nextLink,
            e.sessionId,
            known.lastSeq,
            known.head,
          ]);
          if (advanced.changes > 0) {
            seq = next;
            link = nextLink;
            headWritten = true;
          } else heads!.delete(e.sessionId);
        }
        if (seq === null) {
          // Append-with-next-seq: advance the session's counter and take the new value (and the chain head) in
          // one statement. The write transaction is exclusive (BEGIN IMMEDIATE, one transaction at a time on the
          // write connection), so nobody appends to the session between this and the head update below.
          const rows = await runValues(conn, chained ? NEXT_SEQ_SQL : PLAIN_NEXT_SEQ_SQL, [e.sessionId]);
          if (!rows[0]) throw new ControlPlaneError("not_found", `session ${e.sessionId} not found`);
          seq = Number(rows[0][0]);
          if (chained) link = linkEvent(str(rows[0][1]), e);
        }
        if (chained) heads?.set(e.sessionId, { lastSeq: seq, head: link });
      }
      const agentId = e.agentId ?? null;
      const proposalId = e.proposalId ?? null;
      const ticketId = e.ticketId ?? null;
      const inserted = await runSql(
        conn,
        INSERT_SQL,
        [e.sessionId, seq, e.kind, agentId, proposalId, ticketId, toJson(e.payload), e.at, link],
        { conflict: `event seq ${seq} of session ${e.sessionId} already exists` },
      );
      if (link !== null && !headWritten) await runSql(conn, SET_HEAD_SQL, [link, e.sessionId]);
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
    async chain(sessionId, q) {
      const { rows } = await runSql(
        conn,
        "SELECT * FROM acp_events WHERE session_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
        [sessionId, q.afterSeq ?? 0, q.upToSeq, q.limit],
      );
      return rows.map(toChained);
    },
    async chainHeads(q) {
      const { rows } =
        q.sessionId !== undefined
          ? await runSql(conn, "SELECT id, last_seq, chain_head FROM acp_sessions WHERE id = ?", [
              q.sessionId,
            ])
          : await runSql(
              conn,
              "SELECT id, last_seq, chain_head FROM acp_sessions WHERE id > ? ORDER BY id LIMIT ?",
              [q.afterSessionId ?? "", q.limit],
            );
      return rows.map(toHead);
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
