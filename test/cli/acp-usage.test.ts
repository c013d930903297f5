import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { createProgram } from "../../src/cli/acp.js";
import { runAcp } from "../support/run-acp.js";

/** Every command path of the program, groups included (`[]` is `acp` itself). */
function commandPaths(cmd: Command, prefix: string[] = []): { path: string[]; leaf: boolean }[] {
  const subs = cmd.commands.filter((c) => c.name() !== "help");
  return [
    { path: prefix, leaf: subs.length === 0 },
    ...subs.flatMap((c) => commandPaths(c, [...prefix, c.name()])),
  ];
}

describe("acp --help and usage errors, on every command", () => {
  const paths = commandPaths(createProgram({ out: () => {}, err: () => {}, env: {} }));

  it("covers every group of the issue", () => {
    const names = paths.map((p) => p.path.join(" "));
    for (const expected of [
      "tickets list",
      "tickets show",
      "tickets approve",
      "tickets deny",
      "sessions list",
      "sessions show",
      "kill system",
      "kill agent",
      "kill session",
      "resume system",
      "resume agent",
      "resume session",
      "events tail",
      "events export",
      "tokens create",
      "tokens list",
      "tokens revoke",
      "policy validate",
      "policy test",
      "migrate",
      "worker",
      "recover",
    ]) {
      expect(names).toContain(expected);
    }
  });

  for (const { path, leaf } of paths) {
    const name = ["acp", ...path].join(" ");
    it(`${name} --help prints its usage and exits 0`, async () => {
      const r = await runAcp([...path, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: ${name} `));
      expect(r.stderr).toBe("");
    });
    if (leaf) {
      it(`${name} rejects an unknown option with exit 2, naming it`, async () => {
        const r = await runAcp([...path, "--no-such-option"]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('"--no-such-option"');
      });
    } else {
      it(`${name} rejects an unknown subcommand with exit 2, naming it`, async () => {
        const r = await runAcp([...path, "frobnicate"]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('"frobnicate"');
      });
    }
  }

  it("acp --version prints the package version", async () => {
    const r = await runAcp(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("acp alone prints its help and exits 2", async () => {
    const r = await runAcp([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("usage: acp <command>");
  });

  it("acp --help documents the exit codes", async () => {
    const r = await runAcp(["--help"]);
    for (const line of [
      /^ {2}0 {2}ok/m,
      /^ {2}1 {2}failure/m,
      /^ {2}2 {2}usage/m,
      /^ {2}3 {2}not found/m,
      /^ {2}4 {2}conflict/m,
      /^ {2}5 {2}auth/m,
    ]) {
      expect(r.stdout).toMatch(line);
    }
  });

  it("bad option values and missing required options are usage errors naming the option", async () => {
    const cases: [string[], string][] = [
      [["tickets", "list", "--limit", "0"], "--limit"],
      [["tickets", "list", "--status", "maybe"], "--status"],
      [["tickets", "deny", "t-1"], "--reason"],
      [["tickets", "approve", "t-1", "--max-uses", "3"], "--session-scope"],
      [["tickets", "approve", "t-1", "--session-scope", "--expires", "soon"], "--expires"],
      [["tickets", "approve", "t-1", "--session-scope", "--max-cost", "lots"], "--max-cost"],
      [["kill", "agent", "agent-a"], "--reason"],
      [["kill", "session"], "id"],
      [["events", "export", "--format", "csv"], "--format"],
      [["tokens", "create", "--role", "agent"], "--agent"],
      [["tokens", "create", "--role", "king"], "--role"],
      [["migrate"], "--sqlite"],
      [["sessions", "show", "a", "b"], "too many arguments"],
    ];
    for (const [argv, named] of cases) {
      const r = await runAcp(argv, { ACP_URL: "http://127.0.0.1:1" });
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.stderr).toContain(named);
    }
  });
});
