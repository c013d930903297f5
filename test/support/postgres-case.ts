import { createPostgresStorage } from "../../src/storage/postgres/index.js";
import { type StorageCase, withSqliteCase } from "./control-plane-fixture.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./postgres.js";

/**
 * The facade suite's storage cases plus PostgreSQL (a fresh schema per test, dropped afterwards) when a server
 * answers; without one the PostgreSQL case is left out with the probe's visible warning (a failure under CI).
 */
export async function withAllStorageCases(): Promise<StorageCase[]> {
  const cases = await withSqliteCase();
  if (!(await probePostgres()).available) return cases;
  return [
    ...cases,
    {
      name: "postgres",
      async create() {
        const schema = uniqueSchema("facade_case");
        const storage = createPostgresStorage({ connectionString: DATABASE_URL, schema, poolSize: 4 });
        await storage.migrate();
        return {
          storage,
          cleanup: async () => {
            await storage.close();
            await dropSchema(schema);
          },
        };
      },
    },
  ];
}
