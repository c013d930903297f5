import type { SessionRiskState } from "../../types/session-risk.js";
import type { SessionRiskStore } from "../session-risk-store.js";
import { num, type PgTxContext } from "./context.js";

const parse = (v: unknown): SessionRiskState | undefined =>
  v === null || v === undefined ? undefined : (JSON.parse(v as string) as SessionRiskState);

/**
 * PostgreSQL implementation of {@link SessionRiskStore}: one row per session, the state as JSON text (NULL
 * until the first write). `lock` is one upsert that returns the row locked: `INSERT … ON CONFLICT DO UPDATE`
 * creates the row when missing and otherwise row-locks it (waiting for a concurrent holder to commit), so two
 * workers deciding in the same session take turns even on its very first proposal.
 */
export function pgSessionRisk(c: PgTxContext): SessionRiskStore {
  const t = c.t.sessionRisk;
  return {
    async lock(sessionId, now) {
      const r = await c.q.query(
        `INSERT INTO ${t} (session_id, state, updated_at) VALUES ($1, NULL, $2)
         ON CONFLICT (session_id) DO UPDATE SET session_id = EXCLUDED.session_id RETURNING state`,
        [sessionId, now],
      );
      return parse(r.rows[0]?.state);
    },
    async put(sessionId, state, now) {
      await c.q.query(
        `INSERT INTO ${t} (session_id, state, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (session_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
        [sessionId, JSON.stringify(state), now],
      );
    },
    async get(sessionId) {
      const r = await c.q.query(`SELECT state, updated_at FROM ${t} WHERE session_id = $1`, [sessionId]);
      const row = r.rows[0] as { state: unknown; updated_at: unknown } | undefined;
      const state = parse(row?.state);
      return state === undefined ? undefined : { sessionId, state, updatedAt: num(row!.updated_at) };
    },
  };
}
