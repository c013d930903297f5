import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, string | { import: string; types: string }>;
  bin: Record<string, string>;
};

/** Every module specifier statically imported by `file` and, recursively, by the relative modules it imports. */
function importGraph(file: string, seen = new Set<string>(), bare = new Set<string>()): Set<string> {
  if (seen.has(file)) return bare;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)";/gm)) {
    const spec = m[1]!;
    if (spec.startsWith(".")) importGraph(resolve(dirname(file), spec), seen, bare);
    else bare.add(spec);
  }
  return bare;
}

describe("the built package (npm test builds first)", () => {
  it("has a file for every export and for the acp bin", () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      const files = typeof target === "string" ? [target] : [target.import, target.types];
      for (const f of files) expect(existsSync(join(root, f)), `${subpath} → ${f}`).toBe(true);
    }
    expect(existsSync(join(root, pkg.bin.acp!))).toBe(true);
  });

  it("keeps the root entry runtime-neutral: no native or optional dependency is imported statically", () => {
    const bare = [...importGraph(join(root, "dist/index.js"))];
    for (const forbidden of ["better-sqlite3", "pg", "kysely", "vitest", "@electric-sql/pglite"]) {
      expect(bare).not.toContain(forbidden);
    }
    // Regular dependencies, pure JavaScript: zod, yaml, re2js (the linear-time regex engine).
    const regular = ["zod", "yaml", "re2js"];
    expect(bare.every((s) => s.startsWith("node:") || regular.includes(s))).toBe(true);
  });

  it("exports the facade, factories, types and errors from the root, and no engine internal", async () => {
    const entry = (await import(join(root, "dist/index.js"))) as Record<string, unknown>;
    for (const name of [
      "createControlPlane",
      "createMemoryStorage",
      "ControlPlaneError",
      "ValidationError",
    ]) {
      expect(typeof entry[name], name).toBe("function");
    }
    const internals = [
      "reserveBudget",
      "settleBudget",
      "budgetFits",
      "budgetView",
      "lockResource",
      "unlockResource",
      "resourceLockKey",
      "executionLeaseKey",
      "acquireCycle",
      "cycleLeaseKey",
      "approveTicket",
      "denyTicket",
      "denyPendingTickets",
      "expireTicket",
      "requestApproval",
      "resolveApprovalScope",
      "engageKillSwitch",
      "releaseKillSwitch",
      "killTargetId",
      "recordIdempotent",
      "replayIdempotent",
      "registerAgent",
      "recordDelegation",
      "parseAgentInput",
      "insertSession",
      "transitionSession",
      "closeSessionHolds",
      "canTransition",
      "SESSION_TRANSITIONS",
      "EXECUTABLE_STATUSES",
      "recoverExpiredLeases",
      "settleDueTicket",
      "approverGroup",
      "firstDeadline",
      "NO_DEADLINE",
      "runEvaluators",
    ];
    expect(internals.filter((name) => name in entry)).toEqual([]);
  });

  it("ships the MIT license", () => {
    const manifest = pkg as unknown as { license: string; files: string[] };
    expect(manifest.license).toBe("MIT");
    expect(manifest.files).toContain("LICENSE");
    const text = readFileSync(join(root, "LICENSE"), "utf8");
    expect(text).toMatch(/^MIT License\n\nCopyright \(c\) 2026 agent-control-plane contributors\n/);
  });

  it("resolves the root and every subpath by the package's own name", () => {
    const script = `
      const root = await import("agent-control-plane");
      const sqlite = await import("agent-control-plane/sqlite");
      const postgres = await import("agent-control-plane/postgres");
      const schema = await import("agent-control-plane/policy-schema.json", { with: { type: "json" } });
      console.log(JSON.stringify({
        root: ["createControlPlane", "createMemoryStorage", "loadPolicy", "routeProposal"].filter((n) => typeof root[n] === "function"),
        sqlite: typeof sqlite.createSqliteStorage,
        postgres: typeof postgres.createPostgresStorage,
        schema: typeof schema.default,
      }));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual({
      root: ["createControlPlane", "createMemoryStorage", "loadPolicy", "routeProposal"],
      sqlite: "function",
      postgres: "function",
      schema: "object",
    });
  });
});
