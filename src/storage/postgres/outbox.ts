import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { EventKind } from "../../types/event.js";
import type { JsonObject } from "../../types/json.js";
import type { DeliveryStatus, OutboxDelivery, OutboxStore } from "../outbox-store.js";
import { num, numOrNull, type PgTxContext, parseJson, textOrNull } from "./context.js";

const COLUMNS =
  "id, webhook, event_id, event_kind, body::text AS body, status, attempts, next_attempt_at, lease_owner, lease_expires_at, last_error, created_at, updated_at";

/** {@link COLUMNS} of the updated row `o` (the claim joins the `due` rows). */
const CLAIMED = COLUMNS.split(", ")
  .map((column) => `o.${column}`)
  .join(", ");

function toDelivery(r: Record<string, unknown>): OutboxDelivery {
  return {
    id: r.id as string,
    webhook: r.webhook as string,
    eventId: num(r.event_id),
    eventKind: r.event_kind as EventKind,
    body: parseJson<JsonObject>(r.body),
    status: r.status as DeliveryStatus,
    attempts: num(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    leaseOwner: textOrNull(r.lease_owner),
    leaseExpiresAt: numOrNull(r.lease_expires_at),
    lastError: textOrNull(r.last_error),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

const byDue = (a: OutboxDelivery, b: OutboxDelivery) =>
  a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt || a.eventId - b.eventId;

/**
 * PostgreSQL implementation of {@link OutboxStore}. The cursor moves with a guarded `UPDATE … WHERE position =
 * from` (a racing mover blocks on the row, then re-checks and finds it moved); `enqueue` is `INSERT … ON
 * CONFLICT DO NOTHING` (it waits for a concurrent insert of the same pair, then skips);
 * `claim` selects due rows `FOR UPDATE SKIP LOCKED`, so concurrent dispatchers of several instances take
 * disjoint deliveries without waiting on each other.
 */
export function pgOutbox(c: PgTxContext): OutboxStore {
  const t = c.t.outbox;
  const cursors = c.t.outboxCursors;
  return {
    async cursor(name) {
      const r = await c.q.query(`SELECT position FROM ${cursors} WHERE name = $1`, [name]);
      return r.rows[0] === undefined ? undefined : num(r.rows[0].position);
    },
    async moveCursor(name, from, to, now) {
      const r =
        from === undefined
          ? await c.q.query(
              `INSERT INTO ${cursors} (name, position, updated_at) VALUES ($1, $2, $3)
               ON CONFLICT (name) DO NOTHING RETURNING name`,
              [name, to, now],
            )
          : await c.q.query(
              `UPDATE ${cursors} SET position = $1, updated_at = $2 WHERE name = $3 AND position = $4 RETURNING name`,
              [to, now, name, from],
            );
      return r.rows.length === 1;
    },
    async enqueue(d) {
      const r = await c.q.query(
        `INSERT INTO ${t} (id, webhook, event_id, event_kind, body, status, attempts, next_attempt_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, 'pending', 0, $6, $6, $6)
         ON CONFLICT DO NOTHING RETURNING id`,
        [d.id, d.webhook, d.eventId, d.eventKind, JSON.stringify(d.body), d.createdAt],
      );
      if (r.rows.length === 1) return true;
      // Skipped: the pair exists (not an error), or the id is taken by another pair (a conflict).
      const pair = await c.q.query(`SELECT 1 FROM ${t} WHERE webhook = $1 AND event_id = $2`, [
        d.webhook,
        d.eventId,
      ]);
      if (pair.rows.length === 0) throw new ControlPlaneError("conflict", `delivery ${d.id} already exists`);
      return false;
    },
    async claim({ owner, webhooks, now, leaseUntil, limit }) {
      const r = await c.q.query(
        `WITH due AS (
           SELECT id FROM ${t}
           WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_expires_at IS NULL OR lease_expires_at <= $1)
             AND webhook = ANY($5::text[])
           ORDER BY next_attempt_at, pos LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE ${t} o SET lease_owner = $3, lease_expires_at = $4, attempts = o.attempts + 1, updated_at = $1
         FROM due WHERE o.id = due.id
         RETURNING ${CLAIMED}`,
        [now, Math.max(0, limit), owner, leaseUntil, [...webhooks]],
      );
      return r.rows.map(toDelivery).sort(byDue);
    },
    async settle(id, owner, result) {
      const r = await c.q.query(
        `UPDATE ${t} SET status = $1, next_attempt_at = $2, last_error = $3, lease_owner = NULL,
           lease_expires_at = NULL, updated_at = $4
         WHERE id = $5 AND lease_owner = $6 AND status = 'pending' RETURNING ${COLUMNS}`,
        [result.status, result.nextAttemptAt, result.lastError, result.now, id, owner],
      );
      return r.rows[0] === undefined ? undefined : toDelivery(r.rows[0]);
    },
    async get(id) {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${t} WHERE id = $1`, [id]);
      return r.rows[0] === undefined ? undefined : toDelivery(r.rows[0]);
    },
    async prune(before, limit) {
      const r = await c.q.query(
        `DELETE FROM ${t} WHERE id IN (SELECT id FROM ${t}
           WHERE status IN ('delivered', 'dead') AND updated_at < $1 ORDER BY updated_at LIMIT $2
           FOR UPDATE SKIP LOCKED) RETURNING 1`,
        [before, Math.max(0, limit)],
      );
      return r.rows.length;
    },
    async list({ webhook, statuses, limit }) {
      const values: unknown[] = [Math.max(0, limit)];
      const where: string[] = [];
      if (webhook !== undefined) where.push(`webhook = $${values.push(webhook)}`);
      if (statuses !== undefined) where.push(`status = ANY($${values.push([...statuses])}::text[])`);
      const r = await c.q.query(
        `SELECT ${COLUMNS} FROM ${t} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY created_at, pos LIMIT $1`,
        values,
      );
      return r.rows.map(toDelivery);
    },
  };
}
