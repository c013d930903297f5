import { spawn } from "node:child_process";
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

/**
 * Runs `acp` as its own process (`node --import tsx src/cli/acp.ts`), without blocking this one (a server in
 * this process keeps answering), with `env` added to the environment.
 */
export function runAcpProcess(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/acp.ts", ...args], {
      cwd: process.cwd(),
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
