export {
  POSTGRES_MIGRATIONS,
  POSTGRES_SCHEMA_VERSION,
  type PostgresMigration,
  type PostgresMigrationScript,
  postgresMigrationSql,
} from "./migrations.js";
export type {
  KyselyCompiledQueryLike,
  KyselyExecutorLike,
  KyselyLike,
  PGliteLike,
  PGliteQueryableLike,
  PgClientLike,
  PgNotificationLike,
  PgPoolClientLike,
  PgPoolLike,
  PostgresStorageOptions,
} from "./options.js";
export { createPostgresStorage, type PostgresStorage } from "./postgres-storage.js";
