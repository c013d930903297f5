import { randomBytes } from "node:crypto";
import pg from "pg";

/** The server the PostgreSQL tests use (`DATABASE_URL` overrides). */
export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** True when running under CI (`CI=true`): a missing server must fail the run there. */
export const IN_CI = process.env.CI === "true" || process.env.CI === "1";

/** Whether a PostgreSQL server answered, and if not, why. */
export interface ServerProbe {
  readonly available: boolean;
  readonly reason: string;
}

/**
 * Connects once to {@link DATABASE_URL} (2 s timeout). Under CI a missing server throws, so the test file
 * fails instead of skipping; elsewhere it prints a visible warning and reports it unavailable.
 */
export async function probePostgres(): Promise<ServerProbe> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return { available: true, reason: "" };
  } catch (error) {
    const reason = `no PostgreSQL server at ${DATABASE_URL}: ${(error as Error).message}`;
    if (IN_CI) throw new Error(`${reason} (CI=true: a PostgreSQL server is required)`);
    console.warn(`[postgres tests] ${reason}; server tests are skipped`);
    return { available: false, reason };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs one statement on a short-lived connection. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values?: unknown[],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  client.on("error", () => {});
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A unique schema name for one test file (`acp_t_<label>_<random>`); nothing is created yet. */
export function uniqueSchema(label: string): string {
  return `acp_t_${label.replaceAll(/[^a-z0-9_]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** Empties every adapter table of `schema` and restarts its sequences (a fresh, empty storage). */
export async function truncateSchema(schema: string): Promise<void> {
  const tables = [
    "sessions",
    "policies",
    "agents",
    "delegations",
    "proposals",
    "tickets",
    "leases",
    "kill_switches",
    "events",
    "idempotency",
    "api_tokens",
    "outbox",
    "outbox_cursors",
    "tool_pins",
    "checkpoints",
    "session_risk",
    "token_budgets",
    "token_windows",
    "token_reservations",
    "token_holds",
    "token_ledger",
  ];
  await adminQuery(`TRUNCATE ${tables.map((t) => `"${schema}".acp_${t}`).join(", ")} RESTART IDENTITY`);
}
