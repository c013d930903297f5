import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

/** Creates the storage in a child process run in `cwd` and reports what `create` threw (or that it did not). */
function createIn(cwd: string, subpath: string, call: string) {
  const script = `
    const mod = await import("agent-control-plane/${subpath}");
    try {
      const storage = ${call};
      console.log(JSON.stringify({ created: true, dialect: storage.dialect }));
      await storage.close();
    } catch (e) {
      console.log(JSON.stringify({
        created: false, name: e.name, code: e.code, message: e.message, causeCode: e.cause?.code,
      }));
    }`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd, encoding: "utf8" });
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const SQLITE_CALL = 'mod.createSqliteStorage({ path: "./never-created.db" })';
const PG_CALL = 'mod.createPostgresStorage({ connectionString: "postgres://127.0.0.1:1/none" })';

describe("a missing optional peer (the built package installed without better-sqlite3 and pg)", () => {
  let app: string;
  beforeAll(() => {
    // An application whose node_modules holds agent-control-plane (a copy of the build) and nothing else.
    app = mkdtempSync(join(tmpdir(), "acp-no-peers-"));
    const pkgDir = join(app, "node_modules", "agent-control-plane");
    mkdirSync(pkgDir, { recursive: true });
    cpSync(join(root, "package.json"), join(pkgDir, "package.json"));
    cpSync(join(root, "dist"), join(pkgDir, "dist"), { recursive: true });
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", type: "module" }));
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it("createSqliteStorage({ path }) fails at once with the install command and the cause", () => {
    expect(createIn(app, "sqlite", SQLITE_CALL)).toEqual({
      created: false,
      name: "StorageError",
      code: "storage_failure",
      message: expect.stringContaining("npm install better-sqlite3@12"),
      causeCode: "MODULE_NOT_FOUND",
    });
  });

  it("createPostgresStorage({ connectionString }) fails at once with the install command and the cause", () => {
    expect(createIn(app, "postgres", PG_CALL)).toEqual({
      created: false,
      name: "StorageError",
      code: "storage_failure",
      message: expect.stringContaining("npm install pg@8"),
      causeCode: "MODULE_NOT_FOUND",
    });
  });

  it("the same calls create the storage where the peers are installed", () => {
    const dir = mkdtempSync(join(tmpdir(), "acp-peers-"));
    try {
      expect(createIn(root, "sqlite", SQLITE_CALL.replace("./never-created.db", join(dir, "x.db")))).toEqual({
        created: true,
        dialect: "sqlite",
      });
      expect(createIn(root, "postgres", PG_CALL)).toEqual({ created: true, dialect: "postgres" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
