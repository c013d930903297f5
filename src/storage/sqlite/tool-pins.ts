import type { ToolPin, ToolPinStore } from "../tool-pin-store.js";
import type { SqlConnection, SqlRow } from "./driver.js";
import { fromJsonOrNull, runSql, str, toJson } from "./sql-run.js";

const COLUMNS =
  "server, tool, fingerprint, definition, pending_fingerprint, pending_definition, first_seen_at, updated_at, accepted_by";

const toPin = (r: SqlRow): ToolPin => ({
  server: String(r.server),
  tool: String(r.tool),
  fingerprint: String(r.fingerprint),
  definition: fromJsonOrNull(r.definition),
  pendingFingerprint: str(r.pending_fingerprint),
  pendingDefinition: fromJsonOrNull(r.pending_definition),
  firstSeenAt: Number(r.first_seen_at),
  updatedAt: Number(r.updated_at),
  acceptedBy: str(r.accepted_by),
});

/**
 * SQLite implementation of {@link ToolPinStore}. `observe` reads the pin, and writes only through guarded
 * statements: `INSERT … ON CONFLICT DO NOTHING` for the first sight, an `UPDATE` guarded on the fingerprints for a
 * change; `accept` is one `UPDATE … WHERE pending_fingerprint = ? RETURNING`. Writers are serialised anyway.
 */
export function sqliteToolPins(conn: SqlConnection): ToolPinStore {
  const pinned = async (server: string, tool: string) => {
    const { rows } = await runSql(
      conn,
      "SELECT fingerprint, pending_fingerprint FROM acp_tool_pins WHERE server = ? AND tool = ?",
      [server, tool],
    );
    return rows[0];
  };
  return {
    async observe(server, tool, fingerprint, definition, now) {
      let row = await pinned(server, tool);
      if (row === undefined) {
        const { changes } = await runSql(
          conn,
          `INSERT INTO acp_tool_pins (${COLUMNS}) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, NULL)
           ON CONFLICT (server, tool) DO NOTHING`,
          [server, tool, fingerprint, toJson(definition), now, now],
        );
        if (changes === 1) return "new";
        row = await pinned(server, tool);
      }
      if (row === undefined || row.fingerprint === fingerprint) return "same";
      if (row.pending_fingerprint !== fingerprint) {
        await runSql(
          conn,
          `UPDATE acp_tool_pins SET pending_fingerprint = ?, pending_definition = ?, updated_at = ?
           WHERE server = ? AND tool = ? AND fingerprint <> ? AND pending_fingerprint IS NOT ?`,
          [fingerprint, toJson(definition), now, server, tool, fingerprint, fingerprint],
        );
      }
      return "changed";
    },
    async accept(server, tool, fingerprint, by, now) {
      const { rows } = await runSql(
        conn,
        `UPDATE acp_tool_pins SET fingerprint = pending_fingerprint, definition = pending_definition,
           pending_fingerprint = NULL, pending_definition = NULL, accepted_by = ?, updated_at = ?
         WHERE server = ? AND tool = ? AND pending_fingerprint = ? RETURNING ${COLUMNS}`,
        [by, now, server, tool, fingerprint],
      );
      return rows[0] ? toPin(rows[0]) : undefined;
    },
    async get(server, tool) {
      const { rows } = await runSql(
        conn,
        `SELECT ${COLUMNS} FROM acp_tool_pins WHERE server = ? AND tool = ?`,
        [server, tool],
      );
      return rows[0] ? toPin(rows[0]) : undefined;
    },
    async list() {
      const { rows } = await runSql(conn, `SELECT ${COLUMNS} FROM acp_tool_pins ORDER BY server, tool`);
      return rows.map(toPin);
    },
  };
}
