import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createPostgresStorage } from "../src/storage/postgres/index.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import { spawnTs } from "./support/child-process.js";
import { TEST_POLICY } from "./support/control-plane-fixture.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";

const server = await probePostgres();
const WORKERS = 4;
const PER_WORKER = 40;

/**
 * 4 processes append to the same 2 sessions at once; afterwards every session's chain verifies: the link of each
 * event was computed from the link of the event just before it, whoever wrote that one.
 */
async function raceAndVerify(
  storage: Storage,
  target: string,
  dialect: "sqlite" | "postgres",
): Promise<void> {
  const cp = await createControlPlane({ storage, policy: TEST_POLICY });
  const sessions = [await cp.openSession({ name: "a" }), await cp.openSession({ name: "b" })].map(
    (s) => s.id,
  );
  for (const id of sessions) await cp.activateSession(id);
  const children = Array.from({ length: WORKERS }, (_, w) =>
    spawnTs("test/fixtures/audit-chain-worker.ts", [
      dialect,
      target,
      sessions.join(","),
      String(PER_WORKER),
      String(w),
    ]),
  );
  const codes = await Promise.all(children.map((c) => c.exited));
  expect(codes).toEqual(children.map(() => 0));
  // opened + activated per session, then decided + completed per action.
  const expected = 2 * sessions.length + 2 * WORKERS * PER_WORKER;
  expect(await cp.verifyAudit()).toEqual({ ok: true, checkedEvents: expected, problems: [] });
  for (const id of sessions) {
    const events = await cp.events(id, { limit: 1000 });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  }
  await cp.close();
}

describe("audit hash chain under concurrent processes", () => {
  const dir = mkdtempSync(join(tmpdir(), "acp-chain-mp-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("SQLite file: 4 processes on 2 shared sessions ⇒ every chain verifies", async () => {
    const path = join(dir, "race.db");
    const storage = createSqliteStorage({ path });
    try {
      await raceAndVerify(storage, path, "sqlite");
    } finally {
      await storage.close();
    }
  }, 120_000);

  it.runIf(server.available)(
    "PostgreSQL: 4 processes on 2 shared sessions ⇒ every chain verifies",
    async () => {
      const schema = uniqueSchema("chain_race");
      const storage = createPostgresStorage({ connectionString: DATABASE_URL, schema });
      try {
        await storage.migrate();
        await raceAndVerify(storage, `${DATABASE_URL}#${schema}`, "postgres");
      } finally {
        await storage.close();
        await dropSchema(schema);
      }
    },
    120_000,
  );
});
