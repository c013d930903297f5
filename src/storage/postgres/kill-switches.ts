import type { KillScope, KillSwitchRecord } from "../../types/kill-switch.js";
import type { KillSwitchStore } from "../storage.js";
import { num, numOrNull, type PgTxContext } from "./context.js";

const COLUMNS = "scope, target, engaged, reason, engaged_by, engaged_at, released_at";

function toKillSwitch(r: Record<string, unknown>): KillSwitchRecord {
  return {
    scope: r.scope as KillScope,
    target: r.target as string,
    engaged: r.engaged === true || r.engaged === "t",
    reason: r.reason as string,
    engagedBy: typeof r.engaged_by === "string" ? r.engaged_by : null,
    engagedAt: num(r.engaged_at),
    releasedAt: numOrNull(r.released_at),
  };
}

/**
 * PostgreSQL implementation of {@link KillSwitchStore}. `engage` is `INSERT … ON CONFLICT DO UPDATE … WHERE
 * NOT engaged`, so of two racing engagers exactly one reports `changed`. `findEngaged` is read in the
 * caller's transaction: a switch committed by any process is seen by the next statement.
 *
 * `engage` and `release` first take the kill fence exclusively (see `killFence` in `context.ts`): they wait
 * for every in-flight write transaction (each holds the fence shared) and hold back new ones until this
 * transaction ends, so no decision reads the switches across the change.
 */
export function pgKillSwitches(c: PgTxContext): KillSwitchStore {
  const t = c.t.killSwitches;
  return {
    async engage(scope, target, reason, now, engagedBy = null) {
      await c.q.query(c.fence.exclusive);
      const r = await c.q.query(
        `INSERT INTO ${t} AS k (scope, target, engaged, reason, engaged_by, engaged_at, released_at)
         VALUES ($1, $2, TRUE, $3, $5, $4, NULL)
         ON CONFLICT (scope, target) DO UPDATE SET engaged = TRUE, reason = EXCLUDED.reason,
           engaged_by = EXCLUDED.engaged_by, engaged_at = EXCLUDED.engaged_at, released_at = NULL
         WHERE NOT k.engaged RETURNING ${COLUMNS}`,
        [scope, target, reason, now, engagedBy],
      );
      if (r.rows[0] !== undefined) return { record: toKillSwitch(r.rows[0]), changed: true };
      const held = await c.q.query(`SELECT ${COLUMNS} FROM ${t} WHERE scope = $1 AND target = $2`, [
        scope,
        target,
      ]);
      return { record: toKillSwitch(held.rows[0]!), changed: false };
    },
    async release(scope, target, now) {
      await c.q.query(c.fence.exclusive);
      const r = await c.q.query(
        `UPDATE ${t} SET engaged = FALSE, released_at = $3 WHERE scope = $1 AND target = $2 AND engaged
         RETURNING ${COLUMNS}`,
        [scope, target, now],
      );
      return r.rows[0] === undefined ? undefined : toKillSwitch(r.rows[0]);
    },
    async findEngaged(sessionId, agentIds) {
      const r = await c.q.query(
        `SELECT ${COLUMNS} FROM ${t}
         WHERE engaged AND ((scope = 'global' AND target = '') OR (scope = 'session' AND target = $1)
           OR (scope = 'agent' AND target = ANY($2::text[])))
         ORDER BY CASE scope WHEN 'global' THEN 0 WHEN 'session' THEN 1 ELSE 2 END, array_position($2::text[], target)
         LIMIT 1`,
        [sessionId, agentIds],
      );
      return r.rows[0] === undefined ? undefined : toKillSwitch(r.rows[0]);
    },
    async list(q) {
      const r = await c.q.query(
        `SELECT ${COLUMNS} FROM ${t}${q.engagedOnly ? " WHERE engaged" : ""} ORDER BY pos`,
      );
      return r.rows.map(toKillSwitch);
    },
  };
}

/** Column list and row mapper, shared with the combined decision read. @internal */
export { COLUMNS as KILL_SWITCH_COLUMNS, toKillSwitch };
