import { existsSync } from "node:fs";
import type { Command } from "commander";
import { type CliIo, usageError } from "../io.js";

interface MigrateOptions {
  readonly sqlite?: string;
  readonly postgres?: string;
  readonly schema?: string;
  readonly json?: boolean;
}

/** Applies the migrations of the storage named by the options and returns what to report. */
async function migrate(o: MigrateOptions, env: NodeJS.ProcessEnv) {
  const postgres = o.postgres ?? (o.sqlite === undefined ? env.ACP_DATABASE_URL : undefined);
  if ((o.sqlite === undefined) === (postgres === undefined)) {
    throw usageError("give exactly one of --sqlite <file> or --postgres <url>");
  }
  if (o.sqlite !== undefined) {
    const { createSqliteStorage, SQLITE_MIGRATIONS } = await import("../../storage/sqlite/index.js");
    const created = !existsSync(o.sqlite);
    const storage = createSqliteStorage({ path: o.sqlite });
    try {
      await storage.open();
    } finally {
      await storage.close();
    }
    const version = Math.max(...SQLITE_MIGRATIONS.map((m) => m.version));
    return { dialect: "sqlite", target: o.sqlite, created, version };
  }
  const { createPostgresStorage, POSTGRES_SCHEMA_VERSION } = await import("../../storage/postgres/index.js");
  const schema = o.schema ?? "public";
  const storage = createPostgresStorage({ connectionString: postgres!, schema });
  try {
    await storage.migrate();
  } finally {
    await storage.close();
  }
  return {
    dialect: "postgres",
    target: `schema ${schema}`,
    created: false,
    version: POSTGRES_SCHEMA_VERSION,
  };
}

/** Registers `acp migrate --sqlite FILE | --postgres URL [--schema NAME]`: applies migrations, prints the version. */
export function registerMigrateCommand(program: Command, io: CliIo): void {
  program
    .command("migrate")
    .description("Create or upgrade a database's schema (safe to repeat) and print its schema version")
    .option("--sqlite <file>", "a SQLite database file (created when missing)")
    .option("--postgres <url>", "a PostgreSQL connection string (ACP_DATABASE_URL stands in for it)")
    .option("--schema <name>", "the PostgreSQL schema (default: public)")
    .option("--json", "print {dialect, target, created, version} as JSON")
    .action(async (o: MigrateOptions) => {
      const r = await migrate(o, io.env);
      io.out(
        o.json
          ? JSON.stringify(r)
          : `${r.dialect} ${r.target}: schema version ${r.version}${r.created ? " (database created)" : ""}`,
      );
    });
}
