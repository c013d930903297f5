import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const tsxLoader = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
const snippets = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

/**
 * Runs every ```ts block of the README as a program importing the built package by its own name (package
 * self-reference resolves `agent-control-plane` and its subpaths through `exports` to `dist/`), in a scratch
 * working directory holding the example policy as `policy.yaml`.
 */
describe("README examples", () => {
  const scratch = mkdtempSync(join(tmpdir(), "acp-readme-"));
  const programs = join(root, ".tmp", "readme");
  mkdirSync(programs, { recursive: true });
  copyFileSync(join(root, "examples", "policy.yaml"), join(scratch, "policy.yaml"));
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(programs, { recursive: true, force: true });
  });

  it("has runnable examples", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(2);
  });

  it.each(snippets.map((s, i) => [i + 1, s] as const))("example %i runs", (i, source) => {
    const file = join(programs, `example-${i}.mts`);
    writeFileSync(file, source);
    const run = spawnSync(process.execPath, ["--import", tsxLoader, file], {
      cwd: scratch,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    if (i === 1) {
      expect(run.stdout).toContain("approved allowed approved");
      expect(run.stdout).toContain("denied blocked_action");
    }
    if (source.includes("governTool(")) {
      expect(run.stdout.match(/^executed$/gm)).toHaveLength(2);
      expect(run.stdout).toMatch(/^refund needs an operator's approval .*ticket \S+ is pending/m);
    }
  });
});
