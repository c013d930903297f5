import { ControlPlaneError, StorageError } from "../../errors/control-plane-error.js";
import { assertPeerInstalled, PG } from "../peer-dependency.js";
import type { ChangeNotice, Storage, StorageTx } from "../storage.js";
import { pgAgents } from "./agents.js";
import { pgApiTokens } from "./api-tokens.js";
import { pgCheckpoints } from "./checkpoints.js";
import { killFence, type PgTxContext, pgNames } from "./context.js";
import { pgDecisionContext } from "./decision-context.js";
import {
  type ListenHandle,
  RETRYABLE_SQLSTATES,
  type SqlDriver,
  type SqlExecutor,
  sqlState,
} from "./driver.js";
import { pgEvents } from "./events.js";
import { fnv1a32Hex } from "./hash.js";
import { pgIdempotency } from "./idempotency.js";
import { pgKillSwitches } from "./kill-switches.js";
import { kyselyDriver } from "./kysely-driver.js";
import { pgLeases } from "./leases.js";
import { migratePostgres } from "./migrations.js";
import {
  type PostgresStorageOptions,
  type ResolvedPostgresOptions,
  resolvePostgresOptions,
} from "./options.js";
import { pgOutbox } from "./outbox.js";
import { connectPgClient, loadPg } from "./pg-client.js";
import { pgPoolDriver } from "./pg-driver.js";
import { pgliteDriver } from "./pglite-driver.js";
import { pgPolicies } from "./policies.js";
import { pgProposals } from "./proposals.js";
import { pgSessionRisk } from "./session-risk.js";
import { pgSessions } from "./sessions.js";
import { pgSpeculation } from "./speculation.js";
import { pgTickets } from "./tickets.js";
import { pgTokenBudgets } from "./token-budgets.js";
import { pgToolPins } from "./tool-pins.js";

/** The PostgreSQL storage: the {@link Storage} port plus PostgreSQL-specific controls. */
export interface PostgresStorage extends Storage {
  readonly dialect: "postgres";
  /** The schema holding the `acp_*` tables. */
  readonly schema: string;
  /** The NOTIFY channel of this schema's change notices. */
  readonly channel: string;
  /** Connects and applies (or, with `migrate: false`, checks) migrations now instead of on first use. */
  migrate(): Promise<void>;
}

const wrap = (error: unknown, what: string): unknown =>
  error instanceof ControlPlaneError
    ? error
    : new StorageError(`PostgreSQL ${what} failed: ${(error as Error)?.message ?? String(error)}`, error);

/** Wraps driver errors of every statement in a `StorageError` (the driver error is its `cause`). */
function guarded(q: SqlExecutor): SqlExecutor {
  return {
    query: (text, values) =>
      q.query(text, values).catch((error: unknown) => Promise.reject(wrap(error, "statement"))),
  };
}

async function openDriver(o: ResolvedPostgresOptions): Promise<SqlDriver> {
  const src = o.source;
  switch (src.kind) {
    case "connectionString": {
      const pg = await loadPg();
      const pool = new pg.Pool({ connectionString: src.connectionString, max: src.poolSize });
      pool.on("error", () => {}); // an idle client died; the pool drops it and opens a new one on demand
      return pgPoolDriver(pool, {
        prepared: o.preparedStatements,
        end: () => pool.end(),
        connectListener: () => connectPgClient(src.connectionString),
      });
    }
    case "pool":
      return pgPoolDriver(src.pool, { prepared: o.preparedStatements });
    case "kysely":
      return kyselyDriver(src.kysely, { listenConnectionString: src.listenConnectionString });
    case "pglite":
      return pgliteDriver(src.pglite);
  }
}

/**
 * Creates the PostgreSQL storage adapter. Options are validated at once (a `ValidationError` names the bad
 * option); the connection and the migrations happen on first use (or on {@link PostgresStorage.migrate}).
 *
 * - Transactions run at READ COMMITTED; every race-prone operation is one guarded SQL statement (see each
 *   store). Every write transaction takes the kill fence shared with its BEGIN (same round trip); engaging
 *   or releasing a kill switch takes it exclusively (see `killFence`), so no decision is allowed once a kill
 *   covering it has committed. Two kills racing may deadlock on the upgrade: one is re-run (below). A transaction that fails with a deadlock (40P01) or serialization failure (40001) is rolled back
 *   and re-run, at most `maxRetries` times (default 3): `fn` must only await calls on `tx` (the port's rule),
 *   so re-running it is safe.
 * - A connection lost mid-transaction rejects the call with a `StorageError` (fail closed; nothing of the
 *   transaction is committed unless the loss hit the COMMIT itself, whose outcome is then unknown); the
 *   broken connection is discarded and the next call uses a fresh one.
 * - With a connection string or a `pg` pool, `storage.speculation` (see {@link Storage.speculation}) lets the
 *   facade decide in two round trips (the decision read in autocommit, then `SELECT <schema>.acp_apply_plan($1)`
 *   installed by migration 12) and complete in one; the function takes the kill fence shared and re-checks every
 *   assumption before it writes, so the guarantees above hold. Kysely and PGlite sources always use transactions.
 * - `tx.notify` becomes `pg_notify` inside the transaction (delivered on commit to every process);
 *   `subscribe` holds one LISTEN connection, re-established when it drops.
 * - `transaction(fn, { external })` runs on the host's open transaction: a `pg` client after `BEGIN`, a
 *   Kysely `Transaction`, or (with `pglite`) a PGlite transaction. No BEGIN/COMMIT is issued and no retry
 *   is made; the host commits or rolls back.
 * @example
 * const storage = createPostgresStorage({ connectionString: process.env.DATABASE_URL, schema: "governance" });
 * const cp = await createControlPlane({ storage, policy });
 * @throws ValidationError naming each bad option.
 * @throws StorageError (code `storage_failure`) when a connection string is given (or a Kysely source with a
 * `listenConnectionString`) and `pg` is not installed; the message has the install command
 * (`npm install pg@8`), the resolution error is the `cause`.
 */
export function createPostgresStorage(options: PostgresStorageOptions): PostgresStorage {
  const o = resolvePostgresOptions(options);
  if (
    o.source.kind === "connectionString" ||
    (o.source.kind === "kysely" && o.source.listenConnectionString !== undefined)
  ) {
    assertPeerInstalled(PG);
  }
  const { tables, feedKeys } = pgNames(o.schema);
  const channel = `acp_changes_${fnv1a32Hex(o.schema)}`;
  const fence = killFence(o.schema);
  let driverPromise: Promise<SqlDriver> | undefined;
  let migrated: Promise<void> | undefined;
  let closed = false;
  const listeners = new Set<(change: ChangeNotice) => void>();
  let listening: Promise<ListenHandle | undefined> | undefined;

  const driver = () => {
    driverPromise ??= openDriver(o).catch((error) => {
      driverPromise = undefined;
      throw wrap(error, "connection setup");
    });
    return driverPromise;
  };
  const ready = async (): Promise<SqlDriver> => {
    if (closed) throw new ControlPlaneError("closed", "PostgreSQL storage is closed");
    const d = await driver();
    migrated ??= migratePostgres(
      { ...d, transaction: (fn, mode) => d.transaction((q) => fn(guarded(q)), mode) },
      o.schema,
      o.migrate,
    ).catch((error) => {
      migrated = undefined;
      throw wrap(error, "migration");
    });
    await migrated;
    return d;
  };

  const open = (q: SqlExecutor, write: boolean, fenced: boolean) => {
    const ctx: PgTxContext = {
      q: guarded(q),
      t: tables,
      feedKeys,
      write,
      feedAnnounced: false,
      fence,
      fenced,
    };
    const notices = new Map<string, ChangeNotice>();
    const tx: StorageTx = {
      notify(change) {
        if (write) notices.set(`${change.topic}\u0000${change.id}`, { topic: change.topic, id: change.id });
      },
      decisionContext: (query) => pgDecisionContext(ctx, query),
      sessions: pgSessions(ctx),
      policies: pgPolicies(ctx),
      agents: pgAgents(ctx),
      proposals: pgProposals(ctx),
      tickets: pgTickets(ctx),
      leases: pgLeases(ctx),
      killSwitches: pgKillSwitches(ctx),
      events: pgEvents(ctx),
      idempotency: pgIdempotency(ctx),
      apiTokens: pgApiTokens(ctx),
      outbox: pgOutbox(ctx),
      toolPins: pgToolPins(ctx),
      checkpoints: pgCheckpoints(ctx),
      sessionRisk: pgSessionRisk(ctx),
      tokenBudgets: pgTokenBudgets(ctx),
    };
    const flush = async () => {
      if (notices.size === 0) return;
      const payloads = [...notices.values()].map((n) => JSON.stringify(n));
      await ctx.q.query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p", [channel, payloads]);
    };
    return { tx, notices, flush };
  };

  const deliver = (change: ChangeNotice) => {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch {
        // A failing listener must not stop the others.
      }
    }
  };
  const onNotification = (payload: string | undefined) => {
    if (payload === undefined) return;
    try {
      const n = JSON.parse(payload) as Partial<ChangeNotice>;
      if (
        (n.topic === "ticket" || n.topic === "kill_switch" || n.topic === "session") &&
        typeof n.id === "string"
      ) {
        deliver({ topic: n.topic, id: n.id });
      }
    } catch {
      // Not ours: ignore.
    }
  };
  /** True when committed notices reach this process's listeners through LISTEN (so no local delivery). */
  const crossProcess = async () =>
    listening === undefined ? false : (await listening.catch(() => undefined)) !== undefined;

  // The speculative fast path needs autocommit statements on a pool of ours or the host's (not Kysely, PGlite).
  const speculative = o.source.kind === "connectionString" || o.source.kind === "pool";
  const storage: PostgresStorage = {
    dialect: "postgres",
    schema: o.schema,
    channel,
    ...(speculative ? { speculation: pgSpeculation(ready, `"${o.schema}"`, tables) } : {}),
    async migrate() {
      await ready();
    },
    async transaction(fn, options) {
      const d = await ready();
      if (options?.external !== undefined) {
        const { tx, flush } = open(d.external(options.external) as SqlExecutor, true, false);
        const result = await fn(tx);
        await flush();
        return result;
      }
      for (let attempt = 0; ; attempt++) {
        let sent: ReadonlyMap<string, ChangeNotice> = new Map();
        let thrown: { error: unknown } | undefined;
        try {
          const result = await d.transaction(
            async (q) => {
              const { tx, notices, flush } = open(q, true, true);
              try {
                const value = await fn(tx);
                await flush();
                sent = notices;
                return value;
              } catch (error) {
                thrown = { error };
                throw error;
              }
            },
            "write",
            fence.shared,
          );
          if (sent.size > 0 && listeners.size > 0 && !(await crossProcess())) {
            const changes = [...sent.values()];
            queueMicrotask(() => {
              for (const change of changes) deliver(change);
            });
          }
          return result;
        } catch (error) {
          const state = sqlState(error);
          if (attempt < o.maxRetries && state !== undefined && RETRYABLE_SQLSTATES.has(state)) continue;
          // The function's own error passes through unchanged; BEGIN/COMMIT/connection failures are wrapped.
          throw thrown !== undefined && thrown.error === error ? error : wrap(error, "transaction");
        }
      }
    },
    async read(fn) {
      const d = await ready();
      let thrown: { error: unknown } | undefined;
      try {
        return await d.transaction(
          (q) =>
            fn(open(q, false, false).tx).catch((error: unknown) => {
              thrown = { error };
              throw error;
            }),
          "read",
        );
      } catch (error) {
        throw thrown !== undefined && thrown.error === error ? error : wrap(error, "read");
      }
    },
    async subscribe(listener) {
      const d = await ready();
      listeners.add(listener);
      if (o.listen && d.listen !== undefined && listening === undefined) {
        const listen = d.listen.bind(d);
        listening = listen(channel, (n) => onNotification(n.payload)).catch((error) => {
          listening = undefined;
          throw wrap(error, "LISTEN");
        });
      }
      try {
        await listening;
      } catch (error) {
        listeners.delete(listener);
        throw error;
      }
      return async () => {
        listeners.delete(listener);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      const handle = await listening?.catch(() => undefined);
      await handle?.stop();
      const d = await driverPromise?.catch(() => undefined);
      await d?.end();
    },
  };
  return storage;
}
