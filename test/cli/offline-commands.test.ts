import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { DATABASE_URL, dropSchema, uniqueSchema } from "../support/postgres.js";
import { runAcp } from "../support/run-acp.js";

const dir = mkdtempSync(join(tmpdir(), "acp-offline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
