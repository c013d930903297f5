import type { EventKind } from "../../types/event.js";
import type { JsonObject } from "../../types/json.js";
import type { DeliveryStatus, OutboxDelivery, OutboxStore } from "../outbox-store.js";
import type { SqlConnection, SqlRow } from "./driver.js";
import { fromJson, inJsonList, int, runSql, str, toJson, whereClause } from "./sql-run.js";

const COLUMNS =
  "id, webhook, event_id, event_kind, body, status, attempts, next_attempt_at, lease_owner, lease_expires_at, last_error, created_at, updated_at";

const toDelivery = (r: SqlRow): OutboxDelivery => ({
  id: String(r.id),
  webhook: String(r.webhook),
  eventId: Number(r.event_id),
  eventKind: String(r.event_kind) as EventKind,
  body: fromJson<JsonObject>(r.body),
  status: String(r.status) as DeliveryStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: Number(r.next_attempt_at),
  leaseOwner: str(r.lease_owner),
  leaseExpiresAt: int(r.lease_expires_at),
  lastError: str(r.last_error),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const byDue = (a: OutboxDelivery, b: OutboxDelivery) =>
  a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt || a.eventId - b.eventId;

/**
 * SQLite implementation of {@link OutboxStore}. Writers are serialised (`BEGIN IMMEDIATE`), so the cursor's
 * compare-and-set and the claim (`UPDATE … WHERE id IN (SELECT … due and free …) RETURNING`) cannot race;
 * `enqueue` is `INSERT … ON CONFLICT (webhook, event_id) DO NOTHING`.
 */
export function sqliteOutbox(conn: SqlConnection): OutboxStore {
  return {
    async cursor(name) {
      const { rows } = await runSql(conn, "SELECT position FROM acp_outbox_cursors WHERE name = ?", [name]);
      return rows[0] ? Number(rows[0].position) : undefined;
    },
    async moveCursor(name, from, to, now) {
      const { changes } =
        from === undefined
          ? await runSql(
              conn,
              "INSERT INTO acp_outbox_cursors (name, position, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
              [name, to, now],
            )
          : await runSql(
              conn,
              "UPDATE acp_outbox_cursors SET position = ?, updated_at = ? WHERE name = ? AND position = ?",
              [to, now, name, from],
            );
      return changes === 1;
    },
    async enqueue(d) {
      const { changes } = await runSql(
        conn,
        `INSERT INTO acp_outbox (${COLUMNS}) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, NULL, NULL, NULL, ?, ?)
         ON CONFLICT (webhook, event_id) DO NOTHING`,
        [d.id, d.webhook, d.eventId, d.eventKind, toJson(d.body), d.createdAt, d.createdAt, d.createdAt],
        { conflict: `delivery ${d.id} already exists` },
      );
      return changes === 1;
    },
    async claim({ owner, webhooks, now, leaseUntil, limit }) {
      const { rows } = await runSql(
        conn,
        `UPDATE acp_outbox SET lease_owner = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
         WHERE id IN (SELECT id FROM acp_outbox
           WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_expires_at IS NULL OR lease_expires_at <= ?)
             AND ${inJsonList("webhook")}
           ORDER BY next_attempt_at, rowid LIMIT ?)
         RETURNING ${COLUMNS}`,
        [owner, leaseUntil, now, now, now, JSON.stringify(webhooks), Math.max(0, limit)],
      );
      return rows.map(toDelivery).sort(byDue);
    },
    async settle(id, owner, result) {
      const { rows } = await runSql(
        conn,
        `UPDATE acp_outbox SET status = ?, next_attempt_at = ?, last_error = ?, lease_owner = NULL,
           lease_expires_at = NULL, updated_at = ?
         WHERE id = ? AND lease_owner = ? AND status = 'pending' RETURNING ${COLUMNS}`,
        [result.status, result.nextAttemptAt, result.lastError, result.now, id, owner],
      );
      return rows[0] ? toDelivery(rows[0]) : undefined;
    },
    async get(id) {
      const { rows } = await runSql(conn, `SELECT ${COLUMNS} FROM acp_outbox WHERE id = ?`, [id]);
      return rows[0] ? toDelivery(rows[0]) : undefined;
    },
    async prune(before, limit) {
      const { changes } = await runSql(
        conn,
        `DELETE FROM acp_outbox WHERE id IN (SELECT id FROM acp_outbox
           WHERE status IN ('delivered', 'dead') AND updated_at < ? ORDER BY updated_at LIMIT ?)`,
        [before, Math.max(0, limit)],
      );
      return changes;
    },
    async list({ webhook, statuses, limit }) {
      const where = whereClause([
        webhook !== undefined && ["webhook = ?", webhook],
        statuses !== undefined && [inJsonList("status"), JSON.stringify(statuses)],
      ]);
      const { rows } = await runSql(
        conn,
        `SELECT ${COLUMNS} FROM acp_outbox ${where.sql} ORDER BY created_at, rowid LIMIT ?`,
        [...where.params, Math.max(0, limit)],
      );
      return rows.map(toDelivery);
    },
  };
}
