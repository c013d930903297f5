/**
 * `npm run bench -- profile`: where the CPU time of a governed action goes. Runs each case in a child process
 * under `node --cpu-prof` and prints the self time by area (our storage adapter, the facade and engines, each
 * dependency, SQLite's native code, GC) and the heaviest functions. Cases: SQLite `:memory:`, one caller,
 * `propose` + `complete`; SQLite file (WAL, synchronous=FULL), 64 concurrent agents. Then the time of each SQL
 * statement of a governed action in the real flow (`statement-times.ts`). Options: `--quick`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { summarizeCpuProfile } from "./cpu-profile.js";
import type { ProfileCase } from "./profile-worker.js";
import { printStatementTimes } from "./statement-times.js";
import { type LatencySummary, printTable } from "./stats.js";

const CASES: readonly { readonly name: ProfileCase; readonly iterations: number }[] = [
  { name: "sqlite-memory", iterations: 40_000 },
  { name: "sqlite-file-64", iterations: 25_600 },
];

function profileCase(dir: string, c: ProfileCase, iterations: number): Promise<LatencySummary> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const profileDir = join(dir, c);
  const command = JSON.stringify({ case: c, path: join(dir, `${c}.db`), iterations });
  const child = spawn(
    process.execPath,
    ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--import", "tsx", "bench/profile-worker.ts", command],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`profile worker ${c} exited with ${code}`));
      const summary = JSON.parse(out.trim().split("\n").at(-1)!) as LatencySummary;
      printTable(`profiled: ${c}`, [summary]);
      const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
      if (file) summarizeCpuProfile(join(profileDir, file), 20, `CPU profile of ${summary.name}`);
      resolve(summary);
    });
  });
}

/** Runs the suite. */
export async function run(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const dir = mkdtempSync(join(tmpdir(), "acp-bench-profile-"));
  try {
    for (const c of CASES) await profileCase(dir, c.name, quick ? c.iterations / 10 : c.iterations);
    await printStatementTimes(quick ? 2_000 : 20_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
