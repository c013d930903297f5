import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresStorage, type PostgresStorage } from "../src/storage/postgres/index.js";
import { proposalRecord, sessionRecord, ticketRecord } from "../src/testing/index.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";

const server = await probePostgres();

/**
 * pg 8 warns "Calling client.query() when the client is already executing a query" (an error in pg 9) when
 * one client gets a query before the previous one finished. Every client the adapter checks out is wrapped
 * here to measure how many of its queries were ever under way at once.
 */
describe.runIf(server.available)("PostgreSQL: one query at a time per client", () => {
  const schema = uniqueSchema("onequery");
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  const wrapped = new WeakSet<object>();
  let inFlight = 0;
  let maxInFlight = 0;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  let storage: PostgresStorage;

  beforeAll(async () => {
    process.on("warning", onWarning);
    const countingPool = {
      async connect() {
        const client = await pool.connect();
        if (!wrapped.has(client)) {
          wrapped.add(client);
          const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
          (client as { query: unknown }).query = (...args: unknown[]) => {
            inFlight += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
            const result = query(...args);
            const done = () => {
              inFlight -= 1;
            };
            result.then(done, done);
            return result;
          };
        }
        return client;
      },
    };
    storage = createPostgresStorage({ pool: countingPool, schema });
    await storage.migrate();
  });
  afterAll(async () => {
    process.off("warning", onWarning);
    await storage?.close();
    await dropSchema(schema);
    await pool.end();
  });

  it("runs the concurrent calls of one transaction one after another, with every result right", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `t${i}`);
    await storage.transaction(async (tx) => {
      await tx.sessions.insert(sessionRecord("s1"));
      await Promise.all(
        ids.map(async (id) => {
          await tx.proposals.insert(proposalRecord(`p-${id}`, "s1"));
          await tx.tickets.insert(ticketRecord(id, "s1", `p-${id}`, { createdAt: ids.indexOf(id) }));
        }),
      );
    });
    maxInFlight = 0;
    const read = await storage.transaction((tx) =>
      Promise.all([
        ...ids.map((id) => tx.tickets.get(id).then((t) => t?.id)),
        tx.tickets.countPending(),
        tx.sessions.get("s1").then((s) => s?.id),
      ]),
    );
    expect(read).toEqual([...ids, ids.length, "s1"]);
    expect(maxInFlight).toBe(1);
    expect(warnings.filter((w) => w.includes("already executing"))).toEqual([]);
  });
});

if (!server.available) it.skip(`PostgreSQL one-query tests: ${server.reason}`, () => {});
