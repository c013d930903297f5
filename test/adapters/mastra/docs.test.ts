import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");
const page = readFileSync(join(root, "docs/integrations/mastra.md"), "utf8");
const snippets = [...page.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");

/** The page's imports pointed at the sources (no build needed) and `./model.js` at the docs' mock model. */
function runnable(source: string): string {
  const url = (p: string) => pathToFileURL(join(root, p)).href;
  return source
    .replaceAll('"agent-control-plane/mastra"', JSON.stringify(url("src/adapters/mastra/index.ts")))
    .replaceAll('"agent-control-plane"', JSON.stringify(url("src/index.ts")))
    .replaceAll('"./model.js"', JSON.stringify(url("test/adapters/mastra/docs-model.ts")));
}

describe("docs/integrations/mastra.md", () => {
  const dir = join(root, ".tmp", "docs-mastra");
  mkdirSync(dir, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("has the hello-world, the one-line change and approvals", () => {
    expect(snippets).toHaveLength(3);
    expect(snippets[1]).toContain("governMastraTool(cp, weatherTool, {");
  });

  it.each(snippets.map((s, i) => [i + 1, s] as const))(
    "example %i runs and prints what it says",
    (i, source) => {
      const file = join(dir, `example-${i}.mts`);
      writeFileSync(file, runnable(source));
      const run = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8" });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      for (const m of source.matchAll(/\/\/ prints: (.+)$/gm)) expect(run.stdout).toContain(m[1]);
    },
    180_000,
  );
});
