import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseCheckpoint, verifyCheckpointSignature } from "../../src/engines/audit/checkpoint.js";
import { parsePublicKey } from "../../src/engines/audit/keys.js";
import { parseServeConfig } from "../../src/server/load-serve-config.js";

const root = resolve(import.meta.dirname, "../..");
const doc = readFileSync(join(root, "docs", "audit-checkpoints.md"), "utf8");
const blocks = (lang: string) =>
  [...doc.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, "gm"))].map((m) => m[1]!);
const tsxLoader = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;

describe("docs/audit-checkpoints.md", () => {
  const scratch = join(root, ".tmp", "audit-doc");
  mkdirSync(scratch, { recursive: true });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("shows a checkpoint that parses and verifies with the key it names", () => {
    const [note] = blocks("text");
    const parsed = parseCheckpoint(note);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.checkpoint).toMatchObject({ origin: "acp.example.com/audit", size: 1024 });
    const key = parsePublicKey(/`(acp\.example\.com\/audit\+[0-9a-f]{8}\+\S+)`/.exec(doc)![1]);
    expect(verifyCheckpointSignature(parsed.checkpoint, [key]).ok).toBe(true);
  });

  it("shows a serve config section that the config schema accepts", () => {
    const [yaml] = blocks("yaml");
    expect(yaml).toContain("signing_key_file: audit-key.json");
    expect(parseServeConfig(parse(yaml!)).audit).toEqual({
      signing_key_file: "audit-key.json",
    });
  });

  it("has a program example that runs and verifies its own export", () => {
    const [source] = blocks("ts");
    const file = join(scratch, "example.mts");
    writeFileSync(
      file,
      source!.replace('from "agent-control-plane"', `from "${join(root, "src", "index.ts")}"`),
    );
    const run = spawnSync(process.execPath, ["--import", tsxLoader, file], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe("true true 0");
  });
});
