import type { Role } from "../../auth/roles.js";
import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { ApiTokenStore, StoredApiToken } from "../api-token-store.js";
import { num, numOrNull, type PgTxContext, textOrNull } from "./context.js";
import { fnv1a32 } from "./hash.js";

const COLUMNS = "id, hash, name, role, agent_id, created_at, expires_at, revoked_at, created_by";
const ACTIVE = "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)";

function toToken(r: Record<string, unknown>): StoredApiToken {
  return {
    id: r.id as string,
    hash: r.hash as string,
    name: r.name as string,
    role: r.role as Role,
    agentId: textOrNull(r.agent_id),
    createdAt: num(r.created_at),
    expiresAt: numOrNull(r.expires_at),
    revokedAt: numOrNull(r.revoked_at),
    createdBy: textOrNull(r.created_by),
  };
}

const values = (t: StoredApiToken): unknown[] => [
  t.id,
  t.hash,
  t.name,
  t.role,
  t.agentId,
  t.createdAt,
  t.expiresAt,
  t.revokedAt,
  t.createdBy,
];

const duplicate = (t: StoredApiToken) =>
  new ControlPlaneError("conflict", `token ${t.id} already exists (or a token with the same hash)`);

/**
 * PostgreSQL implementation of {@link ApiTokenStore}. Inserts use `ON CONFLICT DO NOTHING` (a duplicate id or
 * hash is a `conflict` without aborting the transaction). `insertIfNoneActive` first takes a transaction-level
 * advisory lock of this schema's token table, so racing first starts of several instances serialise and the
 * later one's check (a new READ COMMITTED snapshot) sees the token the earlier one committed.
 */
export function pgApiTokens(c: PgTxContext): ApiTokenStore {
  const t = c.t.apiTokens;
  const insertSql = `INSERT INTO ${t} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT DO NOTHING RETURNING id`;
  return {
    async insert(record) {
      const r = await c.q.query(insertSql, values(record));
      if (r.rows.length === 0) throw duplicate(record);
    },
    async insertIfNoneActive(record, now) {
      await c.q.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [
        fnv1a32("agent-control-plane:api-tokens"),
        fnv1a32(t),
      ]);
      const active = await c.q.query(`SELECT EXISTS (SELECT 1 FROM ${t} WHERE ${ACTIVE}) AS found`, [now]);
      if (active.rows[0]?.found === true) return false;
      const r = await c.q.query(insertSql, values(record));
      if (r.rows.length === 0) throw duplicate(record);
      return true;
    },
    async findByHash(hash) {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${t} WHERE hash = $1`, [hash]);
      return r.rows[0] === undefined ? undefined : toToken(r.rows[0]);
    },
    async get(id) {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${t} WHERE id = $1`, [id]);
      return r.rows[0] === undefined ? undefined : toToken(r.rows[0]);
    },
    async list() {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${t} ORDER BY created_at, pos`);
      return r.rows.map(toToken);
    },
    async revoke(id, at) {
      const r = await c.q.query(
        `UPDATE ${t} SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
        [at, id],
      );
      return r.rows[0] === undefined ? undefined : toToken(r.rows[0]);
    },
    async countActive(now) {
      const r = await c.q.query(`SELECT COUNT(*) AS n FROM ${t} WHERE ${ACTIVE}`, [now]);
      return num(r.rows[0]?.n ?? 0);
    },
  };
}
