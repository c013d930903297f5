import type { Storage } from "../../src/storage/storage.js";

/** Which storage a child process opens: a SQLite file, or a PostgreSQL schema. Passed as JSON on argv. */
export type StorageSpec =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string; readonly schema: string };

/** Opens the storage a {@link StorageSpec} names (adapters are imported lazily, so either may be absent). */
export async function openStorage(spec: StorageSpec): Promise<Storage> {
  if (spec.kind === "sqlite") {
    const { createSqliteStorage } = await import("../../src/storage/sqlite/index.js");
    return createSqliteStorage({ path: spec.path, busyTimeoutMs: 30_000 });
  }
  const { createPostgresStorage } = await import("../../src/storage/postgres/index.js");
  return createPostgresStorage({ connectionString: spec.url, schema: spec.schema, poolSize: 4 });
}
