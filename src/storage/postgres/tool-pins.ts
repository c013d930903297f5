import type { ToolPin, ToolPinStore } from "../tool-pin-store.js";
import { num, type PgTxContext, textOrNull } from "./context.js";

const COLUMNS =
  "server, tool, fingerprint, definition, pending_fingerprint, pending_definition, first_seen_at, updated_at, accepted_by";

const json = (text: unknown): unknown =>
  text === null || text === undefined ? null : JSON.parse(text as string);

function toPin(r: Record<string, unknown>): ToolPin {
  return {
    server: r.server as string,
    tool: r.tool as string,
    fingerprint: r.fingerprint as string,
    definition: json(r.definition),
    pendingFingerprint: textOrNull(r.pending_fingerprint),
    pendingDefinition: json(r.pending_definition),
    firstSeenAt: num(r.first_seen_at),
    updatedAt: num(r.updated_at),
    acceptedBy: textOrNull(r.accepted_by),
  };
}

/**
 * PostgreSQL implementation of {@link ToolPinStore} (READ COMMITTED). First sight is `INSERT … ON CONFLICT DO
 * NOTHING`: of two racing proxies one inserts, the other waits for its commit and then sees the pin. A change
 * is recorded by an `UPDATE` guarded on the fingerprints (re-checked on the locked row), and `accept` is one
 * `UPDATE … WHERE pending_fingerprint = $n RETURNING`. Definitions are stored as JSON text, exactly as seen.
 */
export function pgToolPins(c: PgTxContext): ToolPinStore {
  const t = c.t.toolPins;
  const pinned = async (server: string, tool: string) => {
    const r = await c.q.query(
      `SELECT fingerprint, pending_fingerprint FROM ${t} WHERE server = $1 AND tool = $2`,
      [server, tool],
    );
    return r.rows[0] as { fingerprint: string; pending_fingerprint: string | null } | undefined;
  };
  return {
    async observe(server, tool, fingerprint, definition, now) {
      let row = await pinned(server, tool);
      if (row === undefined) {
        const r = await c.q.query(
          `INSERT INTO ${t} (${COLUMNS}) VALUES ($1, $2, $3, $4, NULL, NULL, $5, $5, NULL)
           ON CONFLICT (server, tool) DO NOTHING RETURNING 1 AS ok`,
          [server, tool, fingerprint, JSON.stringify(definition), now],
        );
        if (r.rows.length === 1) return "new";
        row = await pinned(server, tool);
      }
      if (row === undefined || row.fingerprint === fingerprint) return "same";
      if (row.pending_fingerprint === fingerprint) return "changed";
      const r = await c.q.query(
        `UPDATE ${t} SET pending_fingerprint = $3, pending_definition = $4, updated_at = $5
         WHERE server = $1 AND tool = $2 AND fingerprint <> $3 AND pending_fingerprint IS DISTINCT FROM $3
         RETURNING 1 AS ok`,
        [server, tool, fingerprint, JSON.stringify(definition), now],
      );
      if (r.rows.length === 1) return "changed";
      // Someone changed the row meanwhile (an accept, or another proxy recording the same change).
      row = await pinned(server, tool);
      return row !== undefined && row.fingerprint === fingerprint ? "same" : "changed";
    },
    async accept(server, tool, fingerprint, by, now) {
      const r = await c.q.query(
        `UPDATE ${t} SET fingerprint = pending_fingerprint, definition = pending_definition,
           pending_fingerprint = NULL, pending_definition = NULL, accepted_by = $4, updated_at = $5
         WHERE server = $1 AND tool = $2 AND pending_fingerprint = $3 RETURNING ${COLUMNS}`,
        [server, tool, fingerprint, by, now],
      );
      return r.rows[0] === undefined ? undefined : toPin(r.rows[0]);
    },
    async get(server, tool) {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${t} WHERE server = $1 AND tool = $2`, [
        server,
        tool,
      ]);
      return r.rows[0] === undefined ? undefined : toPin(r.rows[0]);
    },
    async list() {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${t} ORDER BY server COLLATE "C", tool COLLATE "C"`);
      return r.rows.map(toPin);
    },
  };
}
