import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { ValidationError } from "../errors/validation-error.js";
import type { Storage } from "../storage/storage.js";

/** Where the CLI keeps state: exactly one of a SQLite file or a PostgreSQL connection string. */
export interface StorageArgs {
  readonly sqlite?: string | undefined;
  readonly postgres?: string | undefined;
  readonly schema?: string | undefined;
}

/**
 * Opens the storage named on the command line (`--sqlite <path>` or `--postgres <url> [--schema <name>]`;
 * `ACP_DATABASE_URL` stands in for `--postgres`). The adapters are loaded on demand, so a SQLite user needs no
 * `pg` and the other way round. By default a `--sqlite` file must already exist: `acp worker` and `acp recover`
 * maintain a control plane's database, and a mistyped path would otherwise create a new, empty one and report
 * that nothing needed doing. With `create: true` (`acp serve`) a missing file is created, with its directory;
 * `gatherWrites` is the SQLite option of that name (a server's concurrent requests share commits).
 * @throws ValidationError naming the missing or conflicting option, or the `--sqlite` file that does not exist.
 */
export async function openStorage(
  args: StorageArgs,
  env: NodeJS.ProcessEnv = process.env,
  options: { readonly create?: boolean; readonly gatherWrites?: boolean } = {},
): Promise<Storage> {
  const postgres = args.postgres ?? (args.sqlite === undefined ? env.ACP_DATABASE_URL : undefined);
  if ((args.sqlite === undefined) === (postgres === undefined)) {
    throw new ValidationError(
      [{ path: "--sqlite / --postgres", message: "give exactly one: --sqlite <file> or --postgres <url>" }],
      "command line",
    );
  }
  if (args.sqlite !== undefined) {
    if (options.create === true && !existsSync(args.sqlite))
      mkdirSync(dirname(args.sqlite), { recursive: true });
    else if (!existsSync(args.sqlite) || !statSync(args.sqlite).isFile()) {
      throw new ValidationError(
        [
          {
            path: "--sqlite",
            message: `file not found: ${args.sqlite} (give the database file of an existing control plane)`,
            received: args.sqlite,
          },
        ],
        "command line",
      );
    }
    const { createSqliteStorage } = await import("../storage/sqlite/index.js");
    return createSqliteStorage({
      path: args.sqlite,
      ...(options.gatherWrites === undefined ? {} : { gatherWrites: options.gatherWrites }),
    });
  }
  const { createPostgresStorage } = await import("../storage/postgres/index.js");
  return createPostgresStorage({
    connectionString: postgres!,
    ...(args.schema ? { schema: args.schema } : {}),
  });
}
