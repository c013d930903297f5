import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const page = readFileSync(join(root, "docs", "telemetry.md"), "utf8");
const tsxLoader = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
const snippets = [...page.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

/** The package's own imports pointed at the sources (no build needed). */
function fromSources(source: string): string {
  return source
    .replace(/from "agent-control-plane"/g, `from ${JSON.stringify(join(root, "src", "index.ts"))}`)
    .replace(
      /from "agent-control-plane\/http"/g,
      `from ${JSON.stringify(join(root, "src", "http", "index.ts"))}`,
    );
}

/** What each example prints: the `// ...` lines after its last `console.log`. */
function expectedOutput(source: string): string[] {
  const tail = source.slice(source.lastIndexOf("console.log"));
  return [...tail.matchAll(/^\/\/ (.+)$/gm), ...tail.matchAll(/console\.log\([^;]*\); \/\/ (.+)$/gm)].map(
    (m) => m[1]!.trim(),
  );
}

describe("docs/telemetry.md examples", () => {
  const programs = join(root, ".tmp", "telemetry-docs");
  mkdirSync(programs, { recursive: true });
  afterAll(() => rmSync(programs, { recursive: true, force: true }));

  it("has the examples", () => {
    expect(snippets).toHaveLength(3);
  });

  it.each(snippets.map((s, i) => [i + 1, s] as const))(
    "example %i prints what the page says",
    (i, source) => {
      const file = join(programs, `example-${i}.mts`);
      writeFileSync(file, fromSources(source));
      const run = spawnSync(process.execPath, ["--import", tsxLoader, file], {
        cwd: root,
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      const expected = expectedOutput(source);
      expect(expected.length).toBeGreaterThan(0);
      const printed = run.stdout
        .trim()
        .split("\n")
        .map((l) => l.trim());
      expect(printed).toEqual(expected);
    },
  );
});
