import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/acp.js";

/** Runs `acp` in this process and captures what it printed. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (line) => out.push(line),
    (line) => err.push(line),
  );
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("acp <command> --help", () => {
  const options = {
    worker: ["--sqlite", "--postgres", "--schema", "--interval", "--policy", "--help"],
    recover: ["--sqlite", "--postgres", "--schema", "--policy", "--help"],
  };
  for (const [command, flags] of Object.entries(options)) {
    for (const help of ["--help", "-h"]) {
      it(`acp ${command} ${help} prints the command's usage with its options and exits 0`, async () => {
        const result = await run(command, help);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe("");
        expect(result.stdout).toContain(`usage: acp ${command}`);
        for (const flag of flags) expect(result.stdout).toContain(flag);
      });
    }
  }

  it("prints the help even next to other options, and never starts the command", async () => {
    const result = await run("recover", "--sqlite", "/nonexistent/x.db", "--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("usage: acp recover");
    const unknownToo = await run("worker", "--bogus", "-h");
    expect(unknownToo.code).toBe(0);
    expect(unknownToo.stdout).toContain("usage: acp worker");
  });

  it("acp recover does not take --interval (the one-pass command has no interval)", async () => {
    const result = await run("recover", "--sqlite", "x.db", "--interval", "5s");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--interval");
  });
});

describe("acp with a --sqlite file that does not exist", () => {
  const dir = mkdtempSync(join(tmpdir(), "acp-missing-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const command of ["recover", "worker"]) {
    it(`acp ${command} refuses it with a clear error instead of creating an empty database`, async () => {
      const path = join(dir, `typo-${command}.db`);
      const result = await run(command, "--sqlite", path);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("--sqlite");
      expect(result.stderr).toContain(`file not found: ${path}`);
      expect(existsSync(path)).toBe(false);
    });
  }

  it("exits non-zero as a real process", () => {
    const path = join(dir, "typo-process.db");
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/acp.ts", "recover", "--sqlite", path],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(child.status).toBe(2);
    expect(child.stderr).toContain("file not found");
    expect(existsSync(path)).toBe(false);
  });
});
