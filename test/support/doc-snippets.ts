import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, expect } from "vitest";

/** The repository's root folder. */
export const ROOT = resolve(import.meta.dirname, "../..");

/** The ```ts blocks of a docs page (path relative to the root), in order, with the page's text. */
export function docSnippets(page: string): { readonly text: string; readonly snippets: readonly string[] } {
  const text = readFileSync(join(ROOT, page), "utf8");
  return { text, snippets: [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "") };
}

/** A JSON string literal of the file URL of `path` (relative to the root), for an import specifier. */
export function sourceUrl(path: string): string {
  return JSON.stringify(pathToFileURL(join(ROOT, path)).href);
}

/**
 * Points a snippet's package imports at the sources (no build needed): `subpaths` maps a subpath of the package
 * (`"ai-sdk"`) to its source file; the root entry maps to `src/index.ts`. `extra` replaces other quoted
 * specifiers (`'"./model.js"'` → a test file).
 */
export function atSources(
  source: string,
  subpaths: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>> = {},
): string {
  let out = source;
  for (const [subpath, file] of Object.entries(subpaths))
    out = out.replaceAll(`"agent-control-plane/${subpath}"`, sourceUrl(file));
  out = out.replaceAll('"agent-control-plane"', sourceUrl("src/index.ts"));
  for (const [specifier, file] of Object.entries(extra)) out = out.replaceAll(specifier, sourceUrl(file));
  return out;
}

/**
 * A scratch folder under `.tmp/` for one docs test file's programs, removed after the file's tests; `run` writes
 * a program there and runs it with tsx from the root.
 */
export function snippetRunner(name: string): (file: string, program: string) => SpawnSyncReturns<string> {
  const dir = join(ROOT, ".tmp", name);
  mkdirSync(dir, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (file, program) => {
    const path = join(dir, file);
    writeFileSync(path, program);
    return spawnSync(process.execPath, ["--import", "tsx", path], { cwd: ROOT, encoding: "utf8" });
  };
}

/** Asserts a snippet program ran cleanly and printed each `// prints: …` line its source announces. */
export function expectPrints(result: SpawnSyncReturns<string>, source: string): void {
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  for (const m of source.matchAll(/\/\/ prints: (.+)$/gm)) expect(result.stdout).toContain(m[1]);
}
