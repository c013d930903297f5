import type { SessionRiskState } from "../../types/session-risk.js";
import type { SessionRiskStore } from "../session-risk-store.js";
import type { SqlConnection } from "./driver.js";
import { fromJson, runSql, toJson } from "./sql-run.js";

/**
 * SQLite implementation of {@link SessionRiskStore}: one row per session in `acp_session_risk`, the state as
 * JSON text. Write transactions are serialised (`BEGIN IMMEDIATE`), so `lock` is a plain read.
 */
export function sqliteSessionRisk(conn: SqlConnection): SessionRiskStore {
  const read = async (sessionId: string) => {
    const { rows } = await runSql(
      conn,
      "SELECT state, updated_at FROM acp_session_risk WHERE session_id = ?",
      [sessionId],
    );
    return rows[0];
  };
  return {
    async lock(sessionId) {
      const row = await read(sessionId);
      return row === undefined ? undefined : fromJson<SessionRiskState>(row.state);
    },
    async put(sessionId, state, now) {
      await runSql(
        conn,
        `INSERT INTO acp_session_risk (session_id, state, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
        [sessionId, toJson(state), now],
        { missing: `session ${sessionId} not found` },
      );
    },
    async get(sessionId) {
      const row = await read(sessionId);
      if (row === undefined) return undefined;
      return { sessionId, state: fromJson<SessionRiskState>(row.state), updatedAt: Number(row.updated_at) };
    },
  };
}
