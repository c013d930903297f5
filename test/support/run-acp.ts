import { main } from "../../src/cli/acp.js";

/** What one in-process `acp` run printed and returned. */
export interface AcpRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `acp` in this process with `env` as its environment (no ACP_* leaks in from the test runner) and captures
 * what it printed. `onOut` sees each stdout line as it is printed (for following streams).
 */
export async function runAcp(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
  onOut?: (line: string) => void,
): Promise<AcpRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (line) => {
      out.push(line);
      onOut?.(line);
    },
    (line) => err.push(line),
    env,
  );
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}
