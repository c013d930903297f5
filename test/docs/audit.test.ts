import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalEvent } from "../../src/engines/audit/canonical-event.js";
import { CHAIN_GENESIS } from "../../src/engines/audit/chain-link.js";

const root = resolve(import.meta.dirname, "../..");
const doc = readFileSync(join(root, "docs", "audit.md"), "utf8");
const tsxLoader = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
const snippets = [...doc.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

describe("docs/audit.md", () => {
  const programs = join(root, ".tmp", "audit-doc");
  mkdirSync(programs, { recursive: true });
  afterAll(() => rmSync(programs, { recursive: true, force: true }));

  it("states the genesis value and a canonical event exactly as the code computes them", () => {
    expect(doc).toContain(`\`${CHAIN_GENESIS}\``);
    const example = canonicalEvent({
      sessionId: "s1",
      kind: "session_opened",
      payload: { name: "n" },
      at: 5,
    });
    expect(doc).toContain(`\`${example}\``);
  });

  it("its example runs against the library and prints what its comment says", () => {
    expect(snippets).toHaveLength(1);
    const source = snippets[0]!.replace(
      '"agent-control-plane"',
      JSON.stringify(join(root, "src", "index.ts")),
    );
    const file = join(programs, "verify.mts");
    writeFileSync(file, source);
    const run = spawnSync(process.execPath, ["--import", tsxLoader, file], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe("true 4 []");
  });
});
