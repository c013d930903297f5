import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProgram } from "../../src/cli/acp.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { type HttpHarness, startHttp, TOKENS } from "../support/http-server.js";
import { DATABASE_URL, dropSchema, uniqueSchema } from "../support/postgres.js";
import { runAcp } from "../support/run-acp.js";

const dir = mkdtempSync(join(tmpdir(), "acp-operator-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describe("acp sessions (against a real server over a SQLite file)", () => {
  let h: HttpHarness;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    h = await startHttp({ storage: createSqliteStorage({ path: join(dir, `sessions-${n++}.db`) }) });
    env = { ACP_URL: h.url, ACP_TOKEN: TOKENS.viewer };
  });
  afterEach(() => h.close());

  it("lists sessions as an aligned table, and as JSON with --json", async () => {
    const a = await h.cp.openSession({ name: "alpha", agentId: "agent-a" });
    const b = await h.cp.openSession({ name: "beta", agentId: "agent-b" });
    const table = await runAcp(["sessions", "list"], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+AGENT\s+COST\s+ACTIONS\s+CREATED$/);
    expect(lines).toHaveLength(3);
    // Aligned: every row starts its NAME column where the header does.
    const nameAt = lines[0]!.indexOf("NAME");
    for (const line of lines.slice(1))
      expect(["alpha", "beta"]).toContain(line.slice(nameAt).split(/\s+/)[0]);
    expect(table.stdout).toContain("0/∞");

    const json = await runAcp(["sessions", "list", "--json"], env);
    expect(json.code).toBe(0);
    const list = JSON.parse(json.stdout) as { id: string }[];
    expect(list.map((s) => s.id).sort()).toEqual([a.id, b.id].sort());

    const onlyA = JSON.parse(
      (await runAcp(["sessions", "list", "--agent", "agent-a", "--json"], env)).stdout,
    );
    expect(onlyA.map((s: { id: string }) => s.id)).toEqual([a.id]);
    const active = await runAcp(["sessions", "list", "--status", "active", "--json"], env);
    expect(JSON.parse(active.stdout)).toEqual([]);
  });

  it("shows one session (without events: --events 0)", async () => {
    const s = await h.cp.openSession({ name: "gamma", agentId: "agent-a", budget: { maxCost: "5" } });
    const text = await runAcp(["sessions", "show", s.id, "--events", "0"], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^id\\s+${s.id}$`, "m"));
    expect(text.stdout).toMatch(/^max_cost\s+5$/m);
    const json = await runAcp(
      ["sessions", "show", s.id, "--events", "0", "--json", "--token", TOKENS.agentA],
      {
        ACP_URL: h.url,
      },
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      session: { id: s.id, session_name: "gamma" },
      events: [],
    });
  });

  it("maps the error envelope to exit codes and prints its message and field issues", async () => {
    const s = await h.cp.openSession({ agentId: "agent-a" });
    const noToken = await runAcp(["sessions", "list"], { ACP_URL: h.url });
    expect(noToken.code).toBe(5);
    expect(noToken.stderr).toContain("HTTP 401");
    expect(noToken.stderr).toContain("ACP_TOKEN");
    const badToken = await runAcp(["sessions", "list", "--token", "wrong-token-0123456789"], env);
    expect(badToken.code).toBe(5);
    expect(badToken.stderr).toContain("(unauthorized)");

    const forbidden = await runAcp(
      ["sessions", "show", s.id, "--events", "0", "--token", TOKENS.agentB],
      env,
    );
    expect(forbidden.code).toBe(5);
    expect(forbidden.stderr).toContain("HTTP 403");
    expect(forbidden.stderr).toContain("(forbidden)");

    const missing = await runAcp(
      ["sessions", "show", "01890000-0000-7000-8000-000000000000", "--events", "0"],
      env,
    );
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("HTTP 404");

    const invalid = await runAcp(["sessions", "show", "not-a-uuid", "--events", "0"], env);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("HTTP 422");
    expect(invalid.stderr).toMatch(/^ {2}param\.session_id: /m);
    expect(invalid.stdout).toBe("");
  });

  it("a server that is not there is a failure (exit 1) naming the URL", async () => {
    const gone = await startHttp();
    const url = gone.url;
    await gone.close();
    const r = await runAcp(["sessions", "list", "--url", url, "--token", TOKENS.viewer]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach ${url}`);
    expect(r.stderr).toContain("ECONNREFUSED");
  });

  it("--url beats ACP_URL and a malformed --url is a usage error", async () => {
    const r = await runAcp(["sessions", "list", "--url", h.url], {
      ACP_URL: "http://127.0.0.1:1",
      ACP_TOKEN: TOKENS.viewer,
    });
    expect(r.code).toBe(0);
    const bad = await runAcp(["sessions", "list", "--url", "not a url"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--url");
  });
});

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

describe("acp policy (offline)", () => {
  const policyFile = join(dir, "policy.json");
  writeFileSync(policyFile, JSON.stringify(TEST_POLICY));

  it("validate: exit 0 for a valid file, 1 with every problem and its path for an invalid one", async () => {
    const ok = await runAcp(["policy", "validate", "examples/policy.yaml"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("examples/policy.yaml: valid (policy id ");

    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "version: 1\nactions:\n  blocked: [1]\n  nonsense: true\n");
    const r = await runAcp(["policy", "validate", bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${bad}: invalid`);
    expect(r.stdout).toMatch(/^ {2}actions\.blocked\[0\]: /m);
    expect(r.stdout).toMatch(/^ {2}actions\.nonsense: /m);
    const json = await runAcp(["policy", "validate", bad, "--json"]);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.valid).toBe(false);
    expect(parsed.issues.map((i: { path: string }) => i.path)).toContain("actions.blocked[0]");

    const missing = await runAcp(["policy", "validate", join(dir, "nope.yaml")]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain("not found");
  });

  it("test: prints the dry-run decision and its trace, nothing stored", async () => {
    const r = await runAcp([
      "policy",
      "test",
      policyFile,
      "--proposal",
      '{"action":"deploy","resource_id":"svc"}',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^outcome {2}pending_approval \(approval_required\)$/m);
    expect(r.stdout).toMatch(/^STEP\s+RESULT\s+DETAIL$/m);

    const blocked = await runAcp([
      "policy",
      "test",
      policyFile,
      "--json",
      "--proposal",
      '{"action":"delete_database","cost":"1.5","args":{"db":"prod"}}',
    ]);
    expect(blocked.code).toBe(0);
    const d = JSON.parse(blocked.stdout);
    expect(d).toMatchObject({ outcome: "denied", code: "blocked_action", tier: "blocked" });
    expect(d.trace.length).toBeGreaterThan(0);

    const proposalFile = join(dir, "proposal.json");
    writeFileSync(proposalFile, '{"action":"read_file"}');
    const fromFile = await runAcp(["policy", "test", policyFile, "--json", "--proposal", `@${proposalFile}`]);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ outcome: "allowed", code: "auto_approved" });
  });

  it("test: a bad proposal is a usage error naming the field", async () => {
    const unknown = await runAcp([
      "policy",
      "test",
      policyFile,
      "--proposal",
      '{"action":"x","colour":"red"}',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"colour"');
    const badCost = await runAcp([
      "policy",
      "test",
      policyFile,
      "--proposal",
      '{"action":"x","cost":"lots"}',
    ]);
    expect(badCost.code).toBe(2);
    expect(badCost.stderr).toMatch(/^ {2}cost: /m);
    const notJson = await runAcp(["policy", "test", policyFile, "--proposal", "{action"]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain("not valid JSON");
  });
});

describe("acp migrate", () => {
  it("creates a SQLite database at the current schema version, and is safe to repeat", async () => {
    const file = join(dir, "migrated.db");
    const first = await runAcp(["migrate", "--sqlite", file, "--json"]);
    expect(first.code).toBe(0);
    const r = JSON.parse(first.stdout);
    expect(r).toMatchObject({ dialect: "sqlite", created: true });
    expect(r.version).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(true);
    const again = await runAcp(["migrate", "--sqlite", file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`sqlite ${file}: schema version ${r.version}`);
    // The migrated file is a control plane database the maintenance commands accept.
    expect((await runAcp(["recover", "--sqlite", file])).code).toBe(0);
  });

  it("migrates a PostgreSQL schema", async () => {
    const schema = uniqueSchema("cli_migrate");
    try {
      const r = await runAcp(["migrate", "--postgres", DATABASE_URL, "--schema", schema, "--json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ dialect: "postgres", target: `schema ${schema}` });
      const viaEnv = await runAcp(["migrate", "--schema", schema], { ACP_DATABASE_URL: DATABASE_URL });
      expect(viaEnv.code).toBe(0);
      expect(viaEnv.stdout).toMatch(new RegExp(`^postgres schema ${schema}: schema version \\d+$`));
    } finally {
      await dropSchema(schema);
    }
  });
});
