export type {
  BetterSqliteDatabase,
  BetterSqliteStatement,
  KyselyCompiledQuery,
  KyselyLike,
  KyselyQueryResult,
} from "./driver.js";
export {
  applySqliteMigrations,
  SQLITE_MIGRATIONS,
  SQLITE_MIGRATIONS_TABLE,
  type SqliteMigration,
  sqliteMigrationsSql,
} from "./migrations.js";
export type { SqliteStorageOptions } from "./sqlite-options.js";
export { createSqliteStorage, type SqliteStorage } from "./sqlite-storage.js";
