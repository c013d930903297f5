import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

/** Runs `script` (an ES module) in `cwd` and returns its JSON output. */
function runIn(cwd: string, script: string): unknown {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8" });
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout);
}

const SCRIPT = `
  const { createControlPlane, createMemoryStorage, withToolSpan } = await import("agent-control-plane");
  const cp = await createControlPlane({
    storage: createMemoryStorage(),
    policy: { version: 1, actions: { autoApprove: ["read_file"] } },
  });
  const s = await cp.openSession({});
  const outcome = await withToolSpan({ toolName: "read_file" }, async (span) => {
    const d = await cp.propose({ sessionId: s.id, action: "read_file" });
    span.setDecision(d);
    await cp.complete(d.proposalId, { ok: true });
    return d.outcome;
  });
  let thrown;
  await withToolSpan({ toolName: "x" }, async () => { throw new Error("boom"); }).catch((e) => { thrown = e.message; });
  let api = true;
  try { await import("@opentelemetry/api"); } catch { api = false; }
  console.log(JSON.stringify({ outcome, thrown, api }));`;

describe("without @opentelemetry/api installed (the built package alone)", () => {
  let app: string;
  beforeAll(() => {
    // An application whose node_modules holds agent-control-plane (a copy of the build) and its regular
    // dependencies, but not the optional peer @opentelemetry/api.
    app = mkdtempSync(join(tmpdir(), "acp-no-otel-"));
    const modules = join(app, "node_modules");
    const pkgDir = join(modules, "agent-control-plane");
    mkdirSync(pkgDir, { recursive: true });
    cpSync(join(root, "package.json"), join(pkgDir, "package.json"));
    cpSync(join(root, "dist"), join(pkgDir, "dist"), { recursive: true });
    for (const dep of ["zod", "yaml", "re2js"])
      symlinkSync(join(root, "node_modules", dep), join(modules, dep));
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", type: "module" }));
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it("decides and runs tool spans as no-ops (errors still propagate)", () => {
    expect(runIn(app, SCRIPT)).toEqual({ outcome: "allowed", thrown: "boom", api: false });
  });

  it("the same script sees the API where it is installed", () => {
    expect(runIn(root, SCRIPT)).toEqual({ outcome: "allowed", thrown: "boom", api: true });
  });
});
