import type { PgTxContext } from "./context.js";

/**
 * One page of a table's rows, newest first (`created_at DESC`, insertion order on ties), optionally of one
 * session and of some statuses — the `list` query shared by proposals and tickets.
 */
export async function listNewestFirst(
  c: PgTxContext,
  table: string,
  columns: string,
  q: {
    readonly sessionId?: string;
    readonly statuses?: readonly string[];
    readonly limit: number;
    readonly offset?: number;
  },
): Promise<readonly Record<string, unknown>[]> {
  const values: unknown[] = [q.limit, q.offset ?? 0];
  const where: string[] = [];
  if (q.sessionId !== undefined) where.push(`session_id = $${values.push(q.sessionId)}`);
  if (q.statuses !== undefined) where.push(`status = ANY($${values.push(q.statuses)}::text[])`);
  const r = await c.q.query(
    `SELECT ${columns} FROM ${table} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY created_at DESC, pos DESC LIMIT $1 OFFSET $2`,
    values,
  );
  return r.rows;
}
