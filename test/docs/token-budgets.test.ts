import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const doc = readFileSync(join(root, "docs", "token-budgets.md"), "utf8");
const tsxLoader = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
const [example] = [...doc.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

/** Runs the ```ts example of docs/token-budgets.md against the sources and checks every `// printed` comment. */
describe("docs/token-budgets.md", () => {
  const dir = join(root, ".tmp", "token-budgets-doc");
  mkdirSync(dir, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("its example runs and prints what its comments say", () => {
    expect(example).toBeDefined();
    const source = example!.replace('"agent-control-plane"', JSON.stringify(join(root, "src", "index.ts")));
    const file = join(dir, "example.mts");
    writeFileSync(file, source);
    const run = spawnSync(process.execPath, ["--import", tsxLoader, file], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const expected = [...example!.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]!);
    expect(run.stdout.trim().split("\n")).toEqual(expected);
  });
});
