/**
 * Child process of `npm run bench -- profile`: runs one governed-action case under `node --cpu-prof` so the
 * parent can summarise where its CPU time goes. Usage:
 * `node --cpu-prof --import tsx bench/profile-worker.ts '<json command>'`.
 */
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import { governedConcurrent, governedOneCaller } from "./limits-sqlite.js";

/** The cases the profile suite runs. */
export type ProfileCase = "sqlite-memory" | "sqlite-file-64";

interface Command {
  readonly case: ProfileCase;
  readonly path: string;
  readonly iterations: number;
}

const cmd = JSON.parse(process.argv[2] ?? "{}") as Command;

async function main(): Promise<void> {
  const summary =
    cmd.case === "sqlite-memory"
      ? await governedOneCaller(
          "SQLite :memory:, propose + complete",
          createSqliteStorage({ path: ":memory:" }),
          "propose+complete",
          cmd.iterations,
        )
      : await governedConcurrent(
          "SQLite file WAL FULL, 64 agents, propose + complete",
          createSqliteStorage({ path: cmd.path }),
          64,
          Math.ceil(cmd.iterations / 64),
        );
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exitCode = 1;
});
