import type { ChangeNotice, StorageTx } from "../storage.js";
import { sqliteAgents } from "./agents.js";
import { sqliteApiTokens } from "./api-tokens.js";
import type { ChainHeadCache } from "./chain-head-cache.js";
import { sqliteCheckpoints } from "./checkpoints.js";
import { sqliteDecisionContext } from "./decision-context.js";
import type { SqlConnection } from "./driver.js";
import { sqliteEvents } from "./events.js";
import { sqliteIdempotency } from "./idempotency.js";
import { sqliteKillSwitches } from "./kill-switches.js";
import { sqliteLeases } from "./leases.js";
import { sqliteOutbox } from "./outbox.js";
import { sqlitePolicies } from "./policies.js";
import type { ProposalCache } from "./proposal-cache.js";
import { sqliteProposals } from "./proposals.js";
import { sqliteSessionRisk } from "./session-risk.js";
import { sqliteSessions } from "./sessions.js";
import { sqliteTickets } from "./tickets.js";
import { sqliteTokenBudgets } from "./token-budgets.js";
import { sqliteToolPins } from "./tool-pins.js";

/** The stores of one connection and its `decisionContext` (everything in {@link StorageTx} but `notify`). */
export type SqliteStores = Omit<StorageTx, "notify">;

/**
 * Builds the stores over one connection. Pass a `cache` (and `heads`) only when every rollback on the
 * connection is seen by whoever clears it (the group-commit queue); never for a host's `external` transaction.
 */
export function sqliteStores(
  conn: SqlConnection,
  cache?: ProposalCache,
  heads?: ChainHeadCache,
): SqliteStores {
  const stores: Omit<SqliteStores, "decisionContext"> = {
    sessions: sqliteSessions(conn),
    policies: sqlitePolicies(conn),
    agents: sqliteAgents(conn),
    proposals: sqliteProposals(conn, cache),
    tickets: sqliteTickets(conn),
    leases: sqliteLeases(conn),
    killSwitches: sqliteKillSwitches(conn),
    events: sqliteEvents(conn, heads),
    idempotency: sqliteIdempotency(conn),
    apiTokens: sqliteApiTokens(conn),
    outbox: sqliteOutbox(conn),
    toolPins: sqliteToolPins(conn),
    checkpoints: sqliteCheckpoints(conn),
    sessionRisk: sqliteSessionRisk(conn),
    tokenBudgets: sqliteTokenBudgets(conn),
  };
  return { ...stores, decisionContext: (q) => sqliteDecisionContext(conn, stores, q, heads) };
}

/** A transaction view: the stores plus a `notify` that collects notices into `sink` (or drops them). */
export function sqliteTx(stores: SqliteStores, sink: ChangeNotice[] | null): StorageTx {
  return {
    notify(change) {
      sink?.push(change);
    },
    ...stores,
  };
}
