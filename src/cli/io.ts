/** Where a command writes, and the environment it reads (`ACP_URL`, `ACP_TOKEN`, `ACP_DATABASE_URL`). */
export interface CliIo {
  /** Prints one line (or several joined by newlines) on standard output. */
  readonly out: (line: string) => void;
  /** Prints one line on standard error. */
  readonly err: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** The exit codes of `acp` (also listed in `acp --help` and docs/cli.md). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  auth: 5,
} as const;

/** One of the {@link EXIT} codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure a command reports: `message` (and any further `lines`) go to standard error and the process exits
 * with `exitCode`. Thrown from command actions; `main` catches it.
 */
export class CliError extends Error {
  /** The process exit code. */
  readonly exitCode: ExitCode;
  /** Extra lines printed after the message (for example the issues of a validation failure). */
  readonly lines: readonly string[];

  constructor(exitCode: ExitCode, message: string, lines: readonly string[] = []) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.lines = lines;
  }
}

/** A usage error (exit 2) naming the bad option or argument. */
export function usageError(message: string): CliError {
  return new CliError(EXIT.usage, message);
}
