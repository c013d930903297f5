import type { KillScope, KillSwitchRecord } from "../../types/kill-switch.js";
import type { KillSwitchStore } from "../storage.js";
import type { SqlConnection, SqlRow } from "./driver.js";
import { int, runSql, toJson } from "./sql-run.js";

const toKillSwitch = (r: SqlRow): KillSwitchRecord => ({
  scope: r.scope as KillScope,
  target: String(r.target),
  engaged: Number(r.engaged) === 1,
  reason: String(r.reason),
  engagedBy: r.engaged_by === null || r.engaged_by === undefined ? null : String(r.engaged_by),
  engagedAt: Number(r.engaged_at),
  releasedAt: int(r.released_at),
});

const ANY_ENGAGED_SQL = "SELECT 1 AS engaged FROM acp_kill_switches WHERE engaged = 1 LIMIT 1";

/** SQLite implementation of {@link KillSwitchStore}. */
export function sqliteKillSwitches(conn: SqlConnection): KillSwitchStore {
  return {
    async engage(scope, target, reason, now, engagedBy = null) {
      // Engage-if-not-engaged as one upsert; no row back means it was already engaged.
      const { rows } = await runSql(
        conn,
        `INSERT INTO acp_kill_switches (scope, target, engaged, reason, engaged_by, engaged_at, released_at)
         VALUES (?, ?, 1, ?, ?, ?, NULL)
         ON CONFLICT (scope, target) DO UPDATE SET engaged = 1, reason = excluded.reason,
           engaged_by = excluded.engaged_by, engaged_at = excluded.engaged_at, released_at = NULL
         WHERE acp_kill_switches.engaged = 0
         RETURNING *`,
        [scope, target, reason, engagedBy, now],
      );
      if (rows[0]) return { record: toKillSwitch(rows[0]), changed: true };
      const current = await runSql(conn, "SELECT * FROM acp_kill_switches WHERE scope = ? AND target = ?", [
        scope,
        target,
      ]);
      return { record: toKillSwitch(current.rows[0]!), changed: false };
    },
    async release(scope, target, now) {
      const { rows } = await runSql(
        conn,
        `UPDATE acp_kill_switches SET engaged = 0, released_at = ?
         WHERE scope = ? AND target = ? AND engaged = 1 RETURNING *`,
        [now, scope, target],
      );
      return rows[0] ? toKillSwitch(rows[0]) : undefined;
    },
    async findEngaged(sessionId, agentIds) {
      // Nearly always nothing is engaged: one probe of the (then empty) partial index of migration 2 answers.
      const any = await runSql(conn, ANY_ENGAGED_SQL);
      if (any.rows.length === 0) return undefined;
      const agents = toJson(agentIds);
      const { rows } = await runSql(
        conn,
        `SELECT k.* FROM acp_kill_switches k
         WHERE k.engaged = 1 AND ((k.scope = 'global' AND k.target = '') OR (k.scope = 'session' AND k.target = ?)
           OR (k.scope = 'agent' AND k.target IN (SELECT value FROM json_each(?))))
         ORDER BY CASE k.scope WHEN 'global' THEN 0 WHEN 'session' THEN 1 ELSE 2 END,
           (SELECT MIN(j.key) FROM json_each(?) j WHERE j.value = k.target)
         LIMIT 1`,
        [sessionId, agents, agents],
      );
      return rows[0] ? toKillSwitch(rows[0]) : undefined;
    },
    async list(q) {
      const { rows } = await runSql(
        conn,
        q.engagedOnly
          ? "SELECT * FROM acp_kill_switches WHERE engaged = 1 ORDER BY rowid"
          : "SELECT * FROM acp_kill_switches ORDER BY rowid",
      );
      return rows.map(toKillSwitch);
    },
  };
}
