import type { Role } from "../../auth/roles.js";
import type { ApiTokenStore, StoredApiToken } from "../api-token-store.js";
import type { SqlConnection, SqlRow } from "./driver.js";
import { int, runSql, str } from "./sql-run.js";

const toToken = (r: SqlRow): StoredApiToken => ({
  id: String(r.id),
  hash: String(r.hash),
  name: String(r.name),
  role: String(r.role) as Role,
  agentId: str(r.agent_id),
  createdAt: Number(r.created_at),
  expiresAt: int(r.expires_at),
  revokedAt: int(r.revoked_at),
  createdBy: str(r.created_by),
});

const COLUMNS = "id, hash, name, role, agent_id, created_at, expires_at, revoked_at, created_by";
const ACTIVE = "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)";

const values = (t: StoredApiToken) => [
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

/**
 * SQLite implementation of {@link ApiTokenStore}. `insertIfNoneActive` is one `INSERT … SELECT … WHERE NOT
 * EXISTS` inside a write transaction (writers are serialised), `revoke` one guarded `UPDATE … RETURNING`.
 */
export function sqliteApiTokens(conn: SqlConnection): ApiTokenStore {
  return {
    async insert(t) {
      await runSql(
        conn,
        `INSERT INTO acp_api_tokens (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        values(t),
        {
          conflict: `token ${t.id} already exists (or a token with the same hash)`,
        },
      );
    },
    async insertIfNoneActive(t, now) {
      const { changes } = await runSql(
        conn,
        `INSERT INTO acp_api_tokens (${COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?
         WHERE NOT EXISTS (SELECT 1 FROM acp_api_tokens WHERE ${ACTIVE})`,
        [...values(t), now],
        { conflict: `token ${t.id} already exists (or a token with the same hash)` },
      );
      return changes === 1;
    },
    async findByHash(hash) {
      const { rows } = await runSql(conn, `SELECT ${COLUMNS} FROM acp_api_tokens WHERE hash = ?`, [hash]);
      return rows[0] ? toToken(rows[0]) : undefined;
    },
    async get(id) {
      const { rows } = await runSql(conn, `SELECT ${COLUMNS} FROM acp_api_tokens WHERE id = ?`, [id]);
      return rows[0] ? toToken(rows[0]) : undefined;
    },
    async list() {
      const { rows } = await runSql(conn, `SELECT ${COLUMNS} FROM acp_api_tokens ORDER BY created_at, rowid`);
      return rows.map(toToken);
    },
    async revoke(id, at) {
      const { rows } = await runSql(
        conn,
        `UPDATE acp_api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING ${COLUMNS}`,
        [at, id],
      );
      return rows[0] ? toToken(rows[0]) : undefined;
    },
    async countActive(now) {
      const { rows } = await runSql(conn, `SELECT COUNT(*) AS n FROM acp_api_tokens WHERE ${ACTIVE}`, [now]);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
