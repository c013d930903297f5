import { StorageError } from "../../errors/control-plane-error.js";
import type { SqlConnection } from "./driver.js";

/** One numbered, forward-only schema migration. `sql` holds statements each ending with `;` and a newline. */
export interface SqliteMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** Name of the table that records applied migrations. */
export const SQLITE_MIGRATIONS_TABLE = "acp_schema_migrations";

/**
 * The SQLite schema, as numbered forward-only migrations. Never edit a released migration: append a new one.
 * Tables are prefixed `acp_` so that they can live in a host's own database. Money is INTEGER micros, times
 * INTEGER ms since the epoch, JSON is TEXT.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `CREATE TABLE acp_policies (
  id TEXT PRIMARY KEY,
  document TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE acp_sessions (
  id TEXT PRIMARY KEY,
  name TEXT,
  agent_id TEXT,
  status TEXT NOT NULL,
  policy_id TEXT NOT NULL,
  max_cost INTEGER,
  max_actions INTEGER,
  used_cost INTEGER NOT NULL DEFAULT 0,
  used_actions INTEGER NOT NULL DEFAULT 0,
  last_seq INTEGER NOT NULL DEFAULT 0,
  status_reason TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX acp_sessions_created ON acp_sessions (created_at);
CREATE INDEX acp_sessions_status ON acp_sessions (status, created_at);
CREATE INDEX acp_sessions_agent ON acp_sessions (agent_id, created_at);
CREATE TABLE acp_agents (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  capabilities TEXT NOT NULL,
  tags TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE acp_delegations (
  id TEXT PRIMARY KEY,
  from_agent_id TEXT NOT NULL,
  to_agent_id TEXT NOT NULL,
  session_id TEXT,
  task TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX acp_delegations_from ON acp_delegations (from_agent_id);
CREATE INDEX acp_delegations_to ON acp_delegations (to_agent_id);
CREATE TABLE acp_proposals (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES acp_sessions (id),
  agent_id TEXT,
  action TEXT NOT NULL,
  resource_type TEXT,
  resource_id TEXT,
  args TEXT NOT NULL,
  metadata TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL,
  outcome TEXT NOT NULL,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  risk_level TEXT NOT NULL,
  tier TEXT NOT NULL,
  trace TEXT NOT NULL,
  ticket_id TEXT,
  cost INTEGER NOT NULL,
  reserved_cost INTEGER NOT NULL,
  actual_cost INTEGER,
  output TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  completed_at INTEGER
);
CREATE INDEX acp_proposals_fingerprint ON acp_proposals (session_id, fingerprint);
CREATE INDEX acp_proposals_session ON acp_proposals (session_id, created_at);
CREATE INDEX acp_proposals_created ON acp_proposals (created_at);
CREATE TABLE acp_tickets (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  proposal_id TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  deadline_at INTEGER NOT NULL,
  decided_at INTEGER,
  decided_by TEXT,
  reason TEXT,
  scope TEXT,
  escalation_level INTEGER NOT NULL
);
CREATE INDEX acp_tickets_session ON acp_tickets (session_id, status, created_at);
CREATE INDEX acp_tickets_pending_deadline ON acp_tickets (deadline_at) WHERE status = 'pending';
CREATE INDEX acp_tickets_created ON acp_tickets (created_at);
CREATE TABLE acp_leases (
  key TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  session_id TEXT,
  proposal_id TEXT,
  acquired_at INTEGER NOT NULL
);
CREATE INDEX acp_leases_expiry ON acp_leases (expires_at);
CREATE INDEX acp_leases_session ON acp_leases (session_id);
CREATE TABLE acp_kill_switches (
  scope TEXT NOT NULL,
  target TEXT NOT NULL,
  engaged INTEGER NOT NULL,
  reason TEXT NOT NULL,
  engaged_at INTEGER NOT NULL,
  released_at INTEGER,
  PRIMARY KEY (scope, target)
);
CREATE TABLE acp_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT REFERENCES acp_sessions (id),
  seq INTEGER,
  kind TEXT NOT NULL,
  agent_id TEXT,
  proposal_id TEXT,
  ticket_id TEXT,
  payload TEXT NOT NULL,
  at INTEGER NOT NULL,
  UNIQUE (session_id, seq)
);
CREATE TABLE acp_idempotency (
  key TEXT PRIMARY KEY,
  operation TEXT NOT NULL,
  result TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: "hot path indexes",
    // The retry lookup only ever needs proposals that wait for or have an approval: a partial index keeps
    // every other proposal out of it (one random-key index write less per decision). Engaged kill switches
    // get their own (usually empty) partial index, so the per-decision check is one empty probe.
    sql: `DROP INDEX acp_proposals_fingerprint;
CREATE INDEX acp_proposals_fingerprint_open ON acp_proposals (session_id, fingerprint)
  WHERE status IN ('approved', 'pending_approval');
CREATE INDEX acp_kill_switches_engaged ON acp_kill_switches (scope, target) WHERE engaged = 1;
`,
  },
  {
    version: 3,
    name: "idempotency request fingerprint",
    // A key replays only for the request it was first used for. Records from before have no fingerprint ('')
    // and match no request.
    sql: `ALTER TABLE acp_idempotency ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
`,
  },
  {
    version: 4,
    name: "ticket request",
    // What the approver decides on, copied from the proposal when the ticket is opened (immutable), so that
    // ticket reads need no join. Existing tickets are filled from their proposals.
    sql: `ALTER TABLE acp_tickets ADD COLUMN request TEXT;
UPDATE acp_tickets SET request = (
  SELECT json_object('action', p.action, 'agentId', p.agent_id, 'resourceType', p.resource_type,
    'resourceId', p.resource_id, 'cost', p.cost, 'reason', p.reason, 'riskLevel', p.risk_level, 'tier', p.tier)
  FROM acp_proposals p WHERE p.id = acp_tickets.proposal_id);
`,
  },
  {
    version: 5,
    name: "api tokens",
    // API tokens of the served surfaces, stored as the hex SHA-256 of the token: the token itself never is.
    sql: `CREATE TABLE acp_api_tokens (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  agent_id TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  created_by TEXT
);
`,
  },
  {
    version: 6,
    name: "notification outbox",
    // Webhook deliveries (one per webhook and event: the unique pair makes enqueueing idempotent) and the feed
    // cursors recording how far the feed was turned into deliveries. The partial index serves the claim.
    sql: `CREATE TABLE acp_outbox (
  id TEXT PRIMARY KEY,
  webhook TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  event_kind TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (webhook, event_id)
);
CREATE INDEX acp_outbox_due ON acp_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX acp_outbox_created ON acp_outbox (created_at);
CREATE TABLE acp_outbox_cursors (
  name TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  },
  {
    version: 7,
    name: "kill switch actor",
    // Who engaged a kill switch (the operator's name); NULL for switches engaged before, or without one.
    sql: `ALTER TABLE acp_kill_switches ADD COLUMN engaged_by TEXT;
`,
  },
  {
    version: 8,
    name: "mcp tool pins",
    // Upstream MCP tool definitions pinned on first sight; a changed one waits (pending) for an operator.
    // BINARY collation: server and tool names are case-sensitive, ORDER BY is code-unit order.
    sql: `CREATE TABLE acp_tool_pins (
  server TEXT NOT NULL,
  tool TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  definition TEXT,
  pending_fingerprint TEXT,
  pending_definition TEXT,
  first_seen_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  accepted_by TEXT,
  PRIMARY KEY (server, tool)
);
`,
  },
  {
    version: 9,
    name: "token budgets",
    // Token budgets (identity subset match), their window counters (one row per budget and calendar window or
    // rolling bucket: the guarded upsert target), reservations with one hold per budget, and the usage ledger.
    // Money is integer micros.
    sql: `CREATE TABLE acp_token_budgets (
  id TEXT PRIMARY KEY,
  user_id TEXT,
  org_id TEXT,
  team_id TEXT,
  period TEXT NOT NULL,
  rolling_ms INTEGER,
  max_tokens INTEGER,
  max_cost INTEGER,
  allowed_models TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE acp_token_windows (
  config_id TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  used_tokens INTEGER NOT NULL,
  used_cost INTEGER NOT NULL,
  reserved_tokens INTEGER NOT NULL,
  reserved_cost INTEGER NOT NULL,
  PRIMARY KEY (config_id, window_start)
);
CREATE TABLE acp_token_reservations (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  model TEXT NOT NULL,
  user_id TEXT,
  org_id TEXT,
  team_id TEXT,
  tokens INTEGER NOT NULL,
  cost INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX acp_token_reservations_due ON acp_token_reservations (expires_at) WHERE status = 'held';
CREATE TABLE acp_token_holds (
  reservation_id TEXT NOT NULL,
  config_id TEXT NOT NULL,
  rolling INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  cost INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (reservation_id, config_id)
);
CREATE TABLE acp_token_ledger (
  id TEXT PRIMARY KEY,
  reservation_id TEXT,
  session_id TEXT,
  model TEXT NOT NULL,
  user_id TEXT,
  org_id TEXT,
  team_id TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  total_tokens INTEGER NOT NULL,
  cost INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX acp_token_ledger_created ON acp_token_ledger (created_at);
`,
  },
  {
    version: 10,
    name: "session risk",
    // The accumulated risk of each session (policy section sessionRisk), as JSON, updated by every decision.
    sql: `CREATE TABLE acp_session_risk (
  session_id TEXT PRIMARY KEY REFERENCES acp_sessions (id),
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`,
  },
  {
    version: 11,
    name: "audit hash chain",
    // Per-session hash chain: each session event's link (64 hex digits, see chainLink) and the session's head
    // link, advanced with last_seq. Events appended before this migration keep NULL (reported as unchained).
    sql: `ALTER TABLE acp_events ADD COLUMN chain_hash TEXT;
ALTER TABLE acp_sessions ADD COLUMN chain_head TEXT;
`,
  },
  {
    version: 12,
    name: "audit checkpoints",
    // Signed Merkle tree checkpoints of the feed, one per tree size; frontier = the tree's right edge (JSON).
    sql: `CREATE TABLE acp_checkpoints (
  size INTEGER PRIMARY KEY,
  last_event_id INTEGER NOT NULL,
  root_hash TEXT NOT NULL,
  frontier TEXT NOT NULL,
  note TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
`,
  },
];

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS ${SQLITE_MIGRATIONS_TABLE} (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`;

/** Splits a migration into its statements (each ends with `;` at the end of a line). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The whole schema as plain SQL text, for hosts whose own migration tool applies DDL. It also creates
 * the migrations table and records every version, so that the adapter's automatic migration finds nothing
 * left to do.
 * @example
 * fs.writeFileSync("migrations/0001_acp.sql", sqliteMigrationsSql());
 */
export function sqliteMigrationsSql(migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS): string {
  const parts = [`${CREATE_MIGRATIONS_TABLE};`];
  for (const m of migrations) {
    parts.push(`-- migration ${m.version}: ${m.name}`, m.sql.trim());
    parts.push(
      `INSERT INTO ${SQLITE_MIGRATIONS_TABLE} (version, name, applied_at) VALUES (${m.version}, '${m.name.replaceAll("'", "''")}', 0);`,
    );
  }
  return `${parts.join("\n")}\n`;
}

/**
 * Applies the missing migrations inside one `BEGIN IMMEDIATE` transaction guarded by the migrations table,
 * so that several processes opening the same new file at once apply each migration exactly once (the write
 * lock serialises them; the later ones find the versions recorded). `begin` must acquire the write lock.
 * Rejects if the database holds a version newer than this library knows.
 * @returns the versions applied by this call.
 */
export async function applySqliteMigrations(
  conn: SqlConnection,
  now: number,
  migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
): Promise<readonly number[]> {
  await conn.execute("BEGIN IMMEDIATE");
  try {
    await conn.execute(CREATE_MIGRATIONS_TABLE);
    const { rows } = await conn.execute(`SELECT version FROM ${SQLITE_MIGRATIONS_TABLE}`);
    const have = new Set(rows.map((r) => Number(r.version)));
    const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    const newest = Math.max(0, ...have);
    if (newest > latest) {
      throw new StorageError(
        `database schema version ${newest} is newer than this library supports (${latest}); upgrade agent-control-plane`,
      );
    }
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (have.has(m.version)) continue;
      for (const statement of splitStatements(m.sql)) await conn.execute(statement);
      await conn.execute(
        `INSERT INTO ${SQLITE_MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`,
        [m.version, m.name, now],
      );
      applied.push(m.version);
    }
    await conn.execute("COMMIT");
    return applied;
  } catch (error) {
    await conn.execute("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
