import type { JsonObject } from "../../types/json.js";
import type { PolicyStore } from "../storage.js";
import { num, type PgTxContext, parseJson } from "./context.js";

/** PostgreSQL implementation of {@link PolicyStore}: `INSERT … ON CONFLICT DO NOTHING` never overwrites. */
export function pgPolicies(c: PgTxContext): PolicyStore {
  const t = c.t.policies;
  return {
    async put(p) {
      await c.q.query(
        `INSERT INTO ${t} (id, document, created_at) VALUES ($1, $2::jsonb, $3) ON CONFLICT (id) DO NOTHING`,
        [p.id, JSON.stringify(p.document), p.createdAt],
      );
    },
    async get(id) {
      const r = await c.q.query(`SELECT id, document::text AS document, created_at FROM ${t} WHERE id = $1`, [
        id,
      ]);
      const row = r.rows[0];
      if (!row) return undefined;
      return {
        id: row.id as string,
        document: parseJson<JsonObject>(row.document),
        createdAt: num(row.created_at),
      };
    },
  };
}
