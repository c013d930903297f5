import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { afterAll, describe, it } from "vitest";
import { createPostgresStorage } from "../src/storage/postgres/index.js";
import { describeStorageConformance } from "../src/testing/storage-conformance.js";
import { DATABASE_URL, dropSchema, probePostgres, truncateSchema, uniqueSchema } from "./support/postgres.js";

const server = await probePostgres();

describe.runIf(server.available)("PostgreSQL server", () => {
  const schema = uniqueSchema("conformance");
  afterAll(() => dropSchema(schema));
  describeStorageConformance("postgres (server, connection string)", async () => {
    const storage = createPostgresStorage({ connectionString: DATABASE_URL, schema, poolSize: 16 });
    await storage.migrate();
    await truncateSchema(schema);
    return { storage };
  });

  const kyselySchema = uniqueSchema("conformance_kysely");
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 16 });
  const kysely = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  afterAll(async () => {
    await kysely.destroy();
    await dropSchema(kyselySchema);
  });
  describeStorageConformance("postgres (server, host Kysely)", async () => {
    const storage = createPostgresStorage({
      kysely,
      schema: kyselySchema,
      listenConnectionString: DATABASE_URL,
    });
    await storage.migrate();
    await truncateSchema(kyselySchema);
    return { storage };
  });
});

if (!server.available) it.skip(`PostgreSQL server conformance: ${server.reason}`, () => {});

describe("PGlite (in-process PostgreSQL)", () => {
  let pglite: PGlite | undefined;
  const schema = "acp_conformance";
  afterAll(async () => {
    await pglite?.close();
  });
  describeStorageConformance("postgres (PGlite)", async () => {
    pglite ??= new PGlite();
    await pglite.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    const storage = createPostgresStorage({ pglite, schema });
    await storage.migrate();
    return { storage };
  });
});
