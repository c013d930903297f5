import { missingPeerError, PG } from "../peer-dependency.js";
import type { PgPoolClientLike } from "./options.js";

/** Loads `pg` on demand, so that only users of the PostgreSQL adapter need it installed. */
export async function loadPg(): Promise<typeof import("pg")> {
  try {
    return await import("pg");
  } catch (error) {
    throw missingPeerError(PG, error);
  }
}

/**
 * Opens one dedicated `pg` client (used for LISTEN) shaped like a pool client: `release()` ends it.
 */
export async function connectPgClient(connectionString: string): Promise<PgPoolClientLike> {
  const pg = await loadPg();
  const client = new pg.Client({ connectionString, application_name: "agent-control-plane:listen" });
  const swallow = () => {};
  client.on("error", swallow);
  await client.connect();
  return {
    query: (config) => client.query(config),
    on: ((event: "notification" | "error", listener: (arg: never) => void) =>
      client.on(event as "error", listener as (e: Error) => void)) as PgPoolClientLike["on"],
    removeListener: (event, listener) =>
      client.removeListener(event, listener as (...args: unknown[]) => void),
    release: () => {
      client.end().catch(swallow);
    },
  };
}
