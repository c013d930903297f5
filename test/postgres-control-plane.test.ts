import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createPostgresStorage, type PostgresStorage } from "../src/storage/postgres/index.js";
import { TEST_POLICY } from "./support/control-plane-fixture.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";
import { spawnWorker } from "./support/spawn-worker.js";

const server = await probePostgres();

describe.runIf(server.available)("control plane on PostgreSQL across processes", () => {
  const schema = uniqueSchema("facade");
  let storage: PostgresStorage;
  beforeAll(async () => {
    storage = createPostgresStorage({ connectionString: DATABASE_URL, schema });
    await storage.migrate();
  });
  afterAll(async () => {
    await storage.close();
    await dropSchema(schema);
  });

  it("8 processes × 500 propose calls on shared sessions ⇒ exactly the budget allowed, gap-free seqs", async () => {
    const cp = await createControlPlane({ storage, policy: TEST_POLICY });
    const budget = 300;
    const sessions: string[] = [];
    for (let i = 0; i < 4; i++) {
      const opened = await cp.openSession({ budget: { maxActions: budget } });
      // Activated up front: the facade's implicit created → active step does not yet tolerate losing that race.
      await cp.activateSession(opened.id);
      sessions.push(opened.id);
    }
    const startAt = Date.now() + 3000;
    const workers = Array.from({ length: 8 }, (_, worker) =>
      spawnWorker("test/fixtures/postgres-facade-worker.ts", {
        url: DATABASE_URL,
        schema,
        worker,
        count: 500,
        sessions,
        startAt,
      }),
    );
    const results = await Promise.all(
      workers.map((w) => w.done<{ decisions: { sessionId: string; outcome: string; code: string }[] }>()),
    );
    const decisions = results.flatMap((r) => r.decisions);
    expect(decisions).toHaveLength(4000);
    for (const id of sessions) {
      const mine = decisions.filter((d) => d.sessionId === id);
      expect(mine.filter((d) => d.outcome === "allowed")).toHaveLength(budget);
      expect(mine.filter((d) => d.outcome !== "allowed").every((d) => d.code === "budget_exhausted")).toBe(
        true,
      );
      const events = await storage.read((tx) => tx.events.list(id, { limit: 100_000 }));
      expect(events.length).toBeGreaterThan(mine.length);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    }
    await cp.close();
  });
});

if (!server.available) it.skip(`facade on PostgreSQL: ${server.reason}`, () => {});
