import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, it } from "vitest";
import { createMemoryStorage } from "../../src/storage/memory/index.js";
import { createPostgresStorage } from "../../src/storage/postgres/index.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import type { Storage } from "../../src/storage/storage.js";
import { type ConformanceContext, outboxCases } from "../../src/testing/index.js";
import {
  DATABASE_URL,
  dropSchema,
  probePostgres,
  truncateSchema,
  uniqueSchema,
} from "../support/postgres.js";

// The outbox's conformance cases alone (the full suite runs them too) on the three adapters.
const dir = mkdtempSync(join(tmpdir(), "acp-outbox-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function outboxOn(name: string, open: () => Promise<Storage>): void {
  describe(`outbox conformance: ${name}`, () => {
    let storage: Storage | undefined;
    const ctx: ConformanceContext = {
      storage: () => {
        if (!storage) throw new Error("no storage");
        return storage;
      },
      concurrency: 16,
    };
    beforeEach(async () => {
      storage = await open();
    });
    afterEach(async () => {
      await storage?.close();
      storage = undefined;
    });
    outboxCases(ctx);
  });
}

outboxOn("memory", async () => createMemoryStorage());
outboxOn("sqlite file", async () => createSqliteStorage({ path: join(dir, `outbox-${n++}.db`) }));

const server = await probePostgres();
if (server.available) {
  const schema = uniqueSchema("outbox");
  afterAll(() => dropSchema(schema));
  outboxOn("postgres (server)", async () => {
    const storage = createPostgresStorage({ connectionString: DATABASE_URL, schema, poolSize: 8 });
    await storage.migrate();
    await truncateSchema(schema);
    return storage;
  });
} else {
  it.skip(`outbox conformance on PostgreSQL: ${server.reason}`, () => {});
}
