import { StorageError } from "../../errors/control-plane-error.js";
import { applyPlanFunctionSql } from "./apply-plan-sql.js";
import type { SqlDriver } from "./driver.js";
import { fnv1a32 } from "./hash.js";

/** One numbered, forward-only schema migration: statements run in order inside one transaction. */
export interface PostgresMigration {
  readonly version: number;
  readonly name: string;
  /** The DDL statements for tables in schema `s` (already quoted). */
  readonly statements: (s: string) => readonly string[];
}

/**
 * The adapter's migrations, oldest first. Never edit a released migration: add a new one.
 * Money is BIGINT micros, times BIGINT milliseconds, JSON is JSONB, text is TEXT (no length limits).
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: "initial",
    statements: (s) => [
      `CREATE TABLE ${s}.acp_sessions (
  id TEXT PRIMARY KEY, name TEXT, agent_id TEXT, status TEXT NOT NULL, policy_id TEXT NOT NULL,
  max_cost BIGINT, max_actions BIGINT, used_cost BIGINT NOT NULL DEFAULT 0, used_actions BIGINT NOT NULL DEFAULT 0,
  last_seq BIGINT NOT NULL DEFAULT 0, status_reason TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  pos BIGINT GENERATED ALWAYS AS IDENTITY)`,
      `CREATE INDEX acp_sessions_created ON ${s}.acp_sessions (created_at DESC, pos DESC)`,
      `CREATE INDEX acp_sessions_status ON ${s}.acp_sessions (status)`,
      `CREATE INDEX acp_sessions_agent ON ${s}.acp_sessions (agent_id, status)`,
      `CREATE TABLE ${s}.acp_policies (id TEXT PRIMARY KEY, document JSONB NOT NULL, created_at BIGINT NOT NULL)`,
      `CREATE TABLE ${s}.acp_agents (
  id TEXT COLLATE "C" PRIMARY KEY, name TEXT NOT NULL, capabilities JSONB NOT NULL, tags JSONB NOT NULL,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
      `CREATE INDEX acp_agents_tags ON ${s}.acp_agents USING GIN (tags)`,
      `CREATE TABLE ${s}.acp_delegations (
  id TEXT PRIMARY KEY, from_agent_id TEXT NOT NULL, to_agent_id TEXT NOT NULL, session_id TEXT, task TEXT NOT NULL,
  created_at BIGINT NOT NULL, pos BIGINT GENERATED ALWAYS AS IDENTITY)`,
      `CREATE INDEX acp_delegations_from ON ${s}.acp_delegations (from_agent_id, pos)`,
      `CREATE INDEX acp_delegations_to ON ${s}.acp_delegations (to_agent_id, pos)`,
      `CREATE TABLE ${s}.acp_proposals (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL, agent_id TEXT, action TEXT NOT NULL, resource_type TEXT,
  resource_id TEXT, args JSONB NOT NULL, metadata JSONB NOT NULL, fingerprint TEXT NOT NULL, status TEXT NOT NULL,
  outcome TEXT NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL, risk_level TEXT NOT NULL, tier TEXT NOT NULL,
  trace JSONB NOT NULL, ticket_id TEXT, cost BIGINT NOT NULL, reserved_cost BIGINT NOT NULL, actual_cost BIGINT,
  output JSONB, error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, completed_at BIGINT,
  pos BIGINT GENERATED ALWAYS AS IDENTITY)`,
      `CREATE INDEX acp_proposals_fingerprint ON ${s}.acp_proposals (session_id, fingerprint, pos DESC)`,
      `CREATE INDEX acp_proposals_session ON ${s}.acp_proposals (session_id, created_at DESC, pos DESC)`,
      `CREATE INDEX acp_proposals_created ON ${s}.acp_proposals (created_at DESC, pos DESC)`,
      `CREATE INDEX acp_proposals_agent ON ${s}.acp_proposals (agent_id)`,
      `CREATE TABLE ${s}.acp_tickets (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL, proposal_id TEXT NOT NULL, status TEXT NOT NULL,
  created_at BIGINT NOT NULL, deadline_at BIGINT NOT NULL, decided_at BIGINT, decided_by TEXT, reason TEXT,
  scope JSONB, escalation_level INTEGER NOT NULL, pos BIGINT GENERATED ALWAYS AS IDENTITY)`,
      `CREATE INDEX acp_tickets_session ON ${s}.acp_tickets (session_id, status, created_at, pos)`,
      `CREATE INDEX acp_tickets_created ON ${s}.acp_tickets (created_at DESC, pos DESC)`,
      `CREATE INDEX acp_tickets_due ON ${s}.acp_tickets (deadline_at, pos) WHERE status = 'pending'`,
      `CREATE INDEX acp_tickets_proposal ON ${s}.acp_tickets (proposal_id)`,
      `CREATE TABLE ${s}.acp_leases (
  key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at BIGINT NOT NULL, session_id TEXT, proposal_id TEXT,
  acquired_at BIGINT NOT NULL)`,
      `CREATE INDEX acp_leases_session ON ${s}.acp_leases (session_id)`,
      `CREATE INDEX acp_leases_expiry ON ${s}.acp_leases (expires_at, key)`,
      `CREATE TABLE ${s}.acp_kill_switches (
  scope TEXT NOT NULL, target TEXT NOT NULL, engaged BOOLEAN NOT NULL, reason TEXT NOT NULL,
  engaged_at BIGINT NOT NULL, released_at BIGINT, pos BIGINT GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (scope, target))`,
      // CACHE 1 keeps ids increasing in allocation order across connections (the feed relies on it).
      `CREATE SEQUENCE ${s}.acp_events_id_seq AS BIGINT CACHE 1`,
      `CREATE TABLE ${s}.acp_events (
  id BIGINT PRIMARY KEY DEFAULT nextval('${s}.acp_events_id_seq'), session_id TEXT, seq BIGINT, kind TEXT NOT NULL,
  agent_id TEXT, proposal_id TEXT, ticket_id TEXT, payload JSONB NOT NULL, at BIGINT NOT NULL,
  UNIQUE (session_id, seq))`,
      `ALTER SEQUENCE ${s}.acp_events_id_seq OWNED BY ${s}.acp_events.id`,
      `CREATE INDEX acp_events_session_id ON ${s}.acp_events (session_id, id)`,
      `CREATE TABLE ${s}.acp_idempotency (
  key TEXT PRIMARY KEY, operation TEXT NOT NULL, result JSONB NOT NULL, created_at BIGINT NOT NULL)`,
    ],
  },
  {
    version: 2,
    name: "idempotency request fingerprint",
    // A key replays only for the request it was first used for. Records from before have no fingerprint ('')
    // and match no request.
    statements: (s) => [`ALTER TABLE ${s}.acp_idempotency ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''`],
  },
  {
    version: 3,
    name: "ticket request",
    // What the approver decides on, copied from the proposal when the ticket is opened (immutable), so that
    // ticket reads need no join. Existing tickets are filled from their proposals.
    statements: (s) => [
      `ALTER TABLE ${s}.acp_tickets ADD COLUMN request JSONB`,
      `UPDATE ${s}.acp_tickets t SET request = jsonb_build_object('action', p.action, 'agentId', p.agent_id,
  'resourceType', p.resource_type, 'resourceId', p.resource_id, 'cost', p.cost, 'reason', p.reason,
  'riskLevel', p.risk_level, 'tier', p.tier)
  FROM ${s}.acp_proposals p WHERE p.id = t.proposal_id`,
    ],
  },
  {
    version: 4,
    name: "api tokens",
    // API tokens of the served surfaces, stored as the hex SHA-256 of the token: the token itself never is.
    statements: (s) => [
      `CREATE TABLE ${s}.acp_api_tokens (
  id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, agent_id TEXT,
  created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT, created_by TEXT,
  pos BIGINT GENERATED ALWAYS AS IDENTITY)`,
    ],
  },
  {
    version: 5,
    name: "notification outbox",
    // Webhook deliveries (one per webhook and event: the unique pair makes enqueueing idempotent) and the feed
    // cursors recording how far the feed was turned into deliveries. The partial index serves the claim.
    statements: (s) => [
      `CREATE TABLE ${s}.acp_outbox (
  id TEXT PRIMARY KEY, webhook TEXT NOT NULL, event_id BIGINT NOT NULL, event_kind TEXT NOT NULL,
  body JSONB NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at BIGINT NOT NULL,
  lease_owner TEXT, lease_expires_at BIGINT, last_error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  pos BIGINT GENERATED ALWAYS AS IDENTITY, UNIQUE (webhook, event_id))`,
      `CREATE INDEX acp_outbox_due ON ${s}.acp_outbox (next_attempt_at, pos) WHERE status = 'pending'`,
      `CREATE INDEX acp_outbox_created ON ${s}.acp_outbox (created_at, pos)`,
      `CREATE TABLE ${s}.acp_outbox_cursors (
  name TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
    ],
  },
  {
    version: 6,
    name: "kill switch actor",
    // Who engaged a kill switch (the operator's name); NULL for switches engaged before, or without one.
    statements: (s) => [`ALTER TABLE ${s}.acp_kill_switches ADD COLUMN engaged_by TEXT`],
  },
  {
    version: 7,
    name: "mcp tool pins",
    // Upstream MCP tool definitions pinned on first sight; a changed one waits (pending) for an operator.
    // Definitions are JSON text, kept exactly as seen (jsonb would refuse \u0000 and reorder keys).
    statements: (s) => [
      `CREATE TABLE ${s}.acp_tool_pins (
  server TEXT NOT NULL, tool TEXT NOT NULL, fingerprint TEXT NOT NULL, definition TEXT,
  pending_fingerprint TEXT, pending_definition TEXT, first_seen_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  accepted_by TEXT, PRIMARY KEY (server, tool))`,
    ],
  },
  {
    version: 8,
    name: "token budgets",
    // Token budgets (identity subset match), their window counters (one row per budget and calendar window or
    // rolling bucket: the guarded upsert target; a rolling budget's reservers are serialised by a row lock on the
    // budget), reservations with one hold per budget, and the usage ledger. Money is integer micros.
    statements: (s) => [
      `CREATE TABLE ${s}.acp_token_budgets (
  id TEXT PRIMARY KEY, user_id TEXT, org_id TEXT, team_id TEXT, period TEXT NOT NULL, rolling_ms BIGINT,
  max_tokens BIGINT, max_cost BIGINT, allowed_models TEXT, created_at BIGINT NOT NULL)`,
      `CREATE TABLE ${s}.acp_token_windows (
  config_id TEXT NOT NULL, window_start BIGINT NOT NULL, window_end BIGINT NOT NULL, used_tokens BIGINT NOT NULL,
  used_cost BIGINT NOT NULL, reserved_tokens BIGINT NOT NULL, reserved_cost BIGINT NOT NULL,
  PRIMARY KEY (config_id, window_start))`,
      `CREATE TABLE ${s}.acp_token_reservations (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL, model TEXT NOT NULL, user_id TEXT, org_id TEXT, team_id TEXT,
  tokens BIGINT NOT NULL, cost BIGINT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL)`,
      `CREATE INDEX acp_token_reservations_due ON ${s}.acp_token_reservations (expires_at) WHERE status = 'held'`,
      `CREATE TABLE ${s}.acp_token_holds (
  reservation_id TEXT NOT NULL, config_id TEXT NOT NULL, rolling SMALLINT NOT NULL, window_start BIGINT NOT NULL,
  window_end BIGINT NOT NULL, tokens BIGINT NOT NULL, cost BIGINT NOT NULL, state TEXT NOT NULL,
  created_at BIGINT NOT NULL, PRIMARY KEY (reservation_id, config_id))`,
      `CREATE TABLE ${s}.acp_token_ledger (
  id TEXT PRIMARY KEY, reservation_id TEXT, session_id TEXT, model TEXT NOT NULL, user_id TEXT, org_id TEXT,
  team_id TEXT, input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, total_tokens BIGINT NOT NULL,
  cost BIGINT NOT NULL, created_at BIGINT NOT NULL)`,
      `CREATE INDEX acp_token_ledger_created ON ${s}.acp_token_ledger (created_at)`,
    ],
  },
  {
    version: 9,
    name: "session risk",
    // The accumulated risk of each session (policy section sessionRisk), as JSON text; NULL until the first
    // decision writes it (the row may be created empty to be locked). Keyed by session id, without a foreign
    // key, like the other tables of this schema.
    statements: (s) => [
      `CREATE TABLE ${s}.acp_session_risk (
  session_id TEXT PRIMARY KEY, state TEXT, updated_at BIGINT NOT NULL)`,
    ],
  },
  {
    version: 10,
    name: "audit hash chain",
    // Per-session hash chain: each session event's link (64 hex digits, see chainLink) and the session's head
    // link, advanced with last_seq. Events appended before this migration keep NULL (reported as unchained).
    statements: (s) => [
      `ALTER TABLE ${s}.acp_events ADD COLUMN chain_hash TEXT`,
      `ALTER TABLE ${s}.acp_sessions ADD COLUMN chain_head TEXT`,
    ],
  },
  {
    version: 11,
    name: "audit checkpoints",
    // Signed Merkle tree checkpoints of the feed, one per tree size; frontier = the tree's right edge (JSON text).
    statements: (s) => [
      `CREATE TABLE ${s}.acp_checkpoints (
  size BIGINT PRIMARY KEY, last_event_id BIGINT NOT NULL, root_hash TEXT NOT NULL, frontier TEXT NOT NULL,
  note TEXT NOT NULL, created_at BIGINT NOT NULL)`,
    ],
  },
  {
    version: 12,
    name: "apply plan function",
    // The speculative fast path's one-statement apply (see apply-plan-sql.ts): checks and guarded writes of a
    // recorded plan, under the kill fence, in one round trip.
    statements: (s) => [applyPlanFunctionSql(unquote(s), s)],
  },
];

/** The schema name of a quoted identifier. */
const unquote = (quoted: string) => quoted.slice(1, -1).replaceAll('""', '"');

/** The newest schema version this adapter needs. */
export const POSTGRES_SCHEMA_VERSION = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]!.version;

/** A migration rendered as SQL text for a given schema. */
export interface PostgresMigrationScript {
  readonly version: number;
  readonly name: string;
  /** Self-contained SQL: creates the schema and ledger if needed, applies the DDL and records the version. */
  readonly sql: string;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

function preamble(s: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.acp_migrations (
  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
  ];
}

/**
 * The migrations as plain SQL, for hosts whose own migration tool applies DDL (then pass
 * `migrate: false` to `createPostgresStorage`). Each script records its version in `acp_migrations`, so
 * the adapter recognises a schema migrated this way. Run each script in one transaction, in order, once.
 * @example
 * for (const m of postgresMigrationSql({ schema: "governance" })) writeFileSync(`${m.version}_${m.name}.sql`, m.sql);
 */
export function postgresMigrationSql(
  options: { readonly schema?: string } = {},
): readonly PostgresMigrationScript[] {
  const s = quote(options.schema ?? "public");
  return POSTGRES_MIGRATIONS.map((m) => ({
    version: m.version,
    name: m.name,
    sql: `${[
      ...preamble(s),
      ...m.statements(s),
      `INSERT INTO ${s}.acp_migrations (version, name) VALUES (${m.version}, '${m.name}') ON CONFLICT DO NOTHING`,
    ].join(";\n")};\n`,
  }));
}

/**
 * Brings `schema` up to date. Several processes may call it at once: the work runs in one transaction
 * holding `pg_advisory_xact_lock` on a key derived from the schema name, so each migration is applied
 * exactly once and a late starter sees the finished schema. When `apply` is false it only checks.
 */
export async function migratePostgres(driver: SqlDriver, schema: string, apply: boolean): Promise<void> {
  const s = quote(schema);
  const have = await driver.transaction(async (q) => {
    const exists = await q.query("SELECT to_regclass($1) IS NOT NULL AS ok", [`${s}.acp_migrations`]);
    if (exists.rows[0]?.ok !== true) return new Set<number>();
    const r = await q.query(`SELECT version FROM ${s}.acp_migrations`);
    return new Set(r.rows.map((row) => Number(row.version)));
  }, "read");
  // Every known version must be recorded (not only the newest): a missing one is applied.
  if (POSTGRES_MIGRATIONS.every((m) => have.has(m.version))) return;
  const current = Math.max(0, ...have);
  if (!apply) {
    throw new StorageError(
      `PostgreSQL schema ${schema} is at version ${current}, this adapter needs ${POSTGRES_SCHEMA_VERSION}: ` +
        "apply postgresMigrationSql() with your migration tool, or pass migrate: true",
    );
  }
  await driver.transaction(async (q) => {
    await q.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [
      fnv1a32("agent-control-plane:migrate"),
      fnv1a32(schema),
    ]);
    for (const statement of preamble(s)) await q.query(statement);
    const done = await q.query(`SELECT version FROM ${s}.acp_migrations`);
    const applied = new Set(done.rows.map((r) => Number(r.version)));
    for (const m of POSTGRES_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const statement of m.statements(s)) await q.query(statement);
      await q.query(`INSERT INTO ${s}.acp_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
    }
  }, "write");
}
