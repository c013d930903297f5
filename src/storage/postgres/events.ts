import { auditChainSwitch, CHAIN_GENESIS, chainPayload } from "../../engines/audit/chain-link.js";
import { ControlPlaneError, StorageError } from "../../errors/control-plane-error.js";
import type { ChainedEvent } from "../../types/audit-chain.js";
import type { EventKind, EventRecord } from "../../types/event.js";
import type { JsonObject } from "../../types/json.js";
import type { EventStore } from "../storage.js";
import { num, numOrNull, type PgTxContext, parseJson, textOrNull } from "./context.js";

const COLUMNS = "id, session_id, seq, kind, agent_id, proposal_id, ticket_id, payload::text AS payload, at";
const SPLIT = 2_147_483_648; // 2^31: an id is announced as two non-negative int4 advisory-lock keys.

function toEvent(r: Record<string, unknown>): EventRecord {
  return {
    id: num(r.id),
    sessionId: textOrNull(r.session_id),
    seq: numOrNull(r.seq),
    kind: r.kind as EventKind,
    agentId: textOrNull(r.agent_id),
    proposalId: textOrNull(r.proposal_id),
    ticketId: textOrNull(r.ticket_id),
    payload: parseJson<JsonObject>(r.payload),
    at: num(r.at),
  };
}

/**
 * PostgreSQL implementation of {@link EventStore}.
 *
 * **Sequence numbers.** `append` allocates `seq` with `UPDATE sessions SET last_seq = last_seq + 1 … RETURNING`
 * in the caller's transaction: the session row stays locked until commit, so the next writer gets the next
 * number only after this one commits (or reuses it after a rollback). Unique and gap-free across processes;
 * `UNIQUE (session_id, seq)` backs it.
 *
 * **The global feed.** Event ids come from a sequence, and concurrent transactions commit out of id order:
 * a naive `id > cursor` reader can see id 8 committed, move its cursor to 8, and never see id 7 that commits
 * a moment later. Filtering on `pg_snapshot_xmin` of the writing transaction ids is not enough either,
 * because id order and transaction-id order differ (a transaction that got its xid first can allocate its
 * event id last). So writers *announce* the lowest id they may still write, and readers stop below it:
 * - a writer, before its first event id of the transaction, reads the sequence's `last_value` L and takes
 *   a shared transaction-level advisory lock whose key encodes L (two int4 keys under namespaces derived
 *   from the schema); every id it then allocates is > L, and the lock lives until it commits or rolls back;
 * - a reader (three statements, each with a fresh READ COMMITTED snapshot) reads the sequence's
 *   `last_value` M, then the smallest announced L among other backends in `pg_locks`, then returns only
 *   events with `cursor < id <= min(M, L)`.
 * An id <= M was allocated before the reader looked at `pg_locks`; if its writer was still running, its
 * announcement bounds the read below that id; if it had finished, its commit is visible to the third
 * statement (locks are released after the commit becomes visible). So a reader that resumes from the last
 * id it saw never misses a committed event. The price: the feed lags behind the oldest running writer (a
 * long host transaction holds the feed back until it ends), and `feed` requires READ COMMITTED.
 */
export function pgEvents(c: PgTxContext): EventStore {
  const { events: t, sessions, eventsSeq } = c.t;
  const announce = `announce AS MATERIALIZED (
    SELECT pg_advisory_xact_lock_shared($8::int, (v / ${SPLIT})::int), pg_advisory_xact_lock_shared($9::int, (v % ${SPLIT})::int)
    FROM (SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS v FROM ${eventsSeq}) last)`;
  const insert = `INSERT INTO ${t} (id, session_id, seq, kind, agent_id, proposal_id, ticket_id, payload, at, chain_hash)`;
  const values = `$2, $3, $4, $5, $6::jsonb, $7`;
  return {
    async append(e) {
      const params: unknown[] = [
        e.sessionId,
        e.kind,
        e.agentId ?? null,
        e.proposalId ?? null,
        e.ticketId ?? null,
        JSON.stringify(e.payload),
        e.at,
      ];
      const first = !c.feedAnnounced;
      if (first) params.push(c.feedKeys.hi, c.feedKeys.lo);
      const withAnnounce = first ? `${announce},` : "";
      const fromAnnounce = first ? ", announce" : "";
      // The chain link is computed by the same UPDATE that allocates the seq (the session row is locked by it):
      // sha256(previous head || canonical JSON bytes), no extra round trip.
      const chained = auditChainSwitch.enabled;
      const canonical = e.sessionId === null || !chained ? 0 : params.push(chainPayload(e));
      const head = chained
        ? `, chain_head = encode(sha256(decode(coalesce(chain_head, '${CHAIN_GENESIS}'), 'hex') || $${canonical}::bytea), 'hex')`
        : "";
      const text =
        e.sessionId === null
          ? `${first ? `WITH ${announce}` : ""} ${insert}
             SELECT nextval('${eventsSeq}'), $1::text, NULL::bigint, ${values}, NULL${first ? " FROM announce" : ""} RETURNING id, seq`
          : `WITH ${withAnnounce} s AS (UPDATE ${sessions} SET last_seq = last_seq + 1${head}
               WHERE id = $1 RETURNING last_seq, chain_head)
             ${insert} SELECT nextval('${eventsSeq}'), $1, s.last_seq, ${values}, s.chain_head FROM s${fromAnnounce} RETURNING id, seq`;
      const r = await c.q.query(text, params);
      const row = r.rows[0];
      if (row === undefined) throw new ControlPlaneError("not_found", `session ${e.sessionId} not found`);
      c.feedAnnounced = true;
      return {
        id: num(row.id),
        sessionId: e.sessionId,
        seq: numOrNull(row.seq),
        kind: e.kind,
        agentId: e.agentId ?? null,
        proposalId: e.proposalId ?? null,
        ticketId: e.ticketId ?? null,
        payload: e.payload,
        at: e.at,
      };
    },
    async list(sessionId, q) {
      const r = await c.q.query(
        `SELECT ${COLUMNS} FROM ${t} WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [sessionId, q.afterSeq ?? 0, q.limit],
      );
      return r.rows.map(toEvent);
    },
    async chain(sessionId, q) {
      const r = await c.q.query(
        `SELECT ${COLUMNS}, chain_hash FROM ${t} WHERE session_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
        [sessionId, q.afterSeq ?? 0, q.upToSeq, q.limit],
      );
      return r.rows.map(
        (row): ChainedEvent => ({ event: toEvent(row), chainHash: textOrNull(row.chain_hash) }),
      );
    },
    async chainHeads(q) {
      const r =
        q.sessionId !== undefined
          ? await c.q.query(`SELECT id, last_seq, chain_head FROM ${sessions} WHERE id = $1`, [q.sessionId])
          : await c.q.query(
              `SELECT id, last_seq, chain_head FROM ${sessions} WHERE id COLLATE "C" > $1 ORDER BY id COLLATE "C" LIMIT $2`,
              [q.afterSessionId ?? "", q.limit],
            );
      return r.rows.map((row) => ({
        sessionId: String(row.id),
        lastSeq: num(row.last_seq),
        link: textOrNull(row.chain_head),
      }));
    },
    async feed(q) {
      const high = await c.q.query(
        `SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS v, current_setting('transaction_isolation') AS iso
         FROM ${eventsSeq}`,
      );
      if (high.rows[0]?.iso !== "read committed") {
        throw new StorageError(
          `events.feed needs READ COMMITTED isolation (the transaction is ${String(high.rows[0]?.iso)})`,
        );
      }
      const low = await c.q.query(
        `SELECT min(h.objid::bigint * ${SPLIT} + l.objid::bigint) AS v
         FROM pg_locks h JOIN pg_locks l ON l.virtualtransaction = h.virtualtransaction
         WHERE h.locktype = 'advisory' AND h.objsubid = 2 AND h.classid = $1::bigint::oid
           AND l.locktype = 'advisory' AND l.objsubid = 2 AND l.classid = $2::bigint::oid
           AND h.database = l.database AND h.pid IS DISTINCT FROM pg_backend_pid()
           AND h.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [c.feedKeys.hi >>> 0, c.feedKeys.lo >>> 0],
      );
      const m = num(high.rows[0]?.v ?? 0);
      const l = numOrNull(low.rows[0]?.v);
      const bound = l === null ? m : Math.min(m, l);
      const values: unknown[] = [q.afterId ?? 0, bound, q.limit];
      const bySession = q.sessionId === undefined ? "" : ` AND session_id = $${values.push(q.sessionId)}`;
      const r = await c.q.query(
        `SELECT ${COLUMNS} FROM ${t} WHERE id > $1 AND id <= $2${bySession} ORDER BY id LIMIT $3`,
        values,
      );
      return r.rows.map(toEvent);
    },
  };
}
