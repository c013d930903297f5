import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import type { AuditBundle } from "../../src/engines/audit/audit-bundle.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { runAcp } from "../support/run-acp.js";
import { call, startServe } from "../support/serve-process.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "acp-audit-cli-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A SQLite database with a little activity, written by a control plane without audit keys. */
async function databaseWithActivity(actions = 3): Promise<string> {
  const db = join(dir, "cp.db");
  const storage = await createSqliteStorage({ path: db });
  const cp = await createControlPlane({ storage, policy: TEST_POLICY });
  const session = await cp.openSession({ name: "cli" });
  for (let i = 0; i < actions; i++) {
    const d = await cp.propose({ sessionId: session.id, action: "read_file", resourceId: `f${i}` });
    if (d.outcome === "allowed") await cp.complete(d.proposalId, { ok: true });
  }
  await cp.close();
  await storage.close();
  return db;
}

describe("acp audit keygen", () => {
  it("writes a private key file, refuses to overwrite it, and rotates it keeping the old public key", async () => {
    const key = join(dir, "audit-key.json");
    const made = await runAcp(["audit", "keygen", "--out", key, "--origin", "acp.test/cli"]);
    expect(made).toMatchObject({ code: 0, stdout: expect.stringContaining("acp.test/cli") });
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const first = JSON.parse(readFileSync(key, "utf8"));
    expect(first).toMatchObject({
      format: "acp-audit-key/1",
      origin: "acp.test/cli",
      retired_public_keys: [],
    });

    const again = await runAcp(["audit", "keygen", "--out", key]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists/);
    expect(JSON.parse(readFileSync(key, "utf8"))).toEqual(first);

    expect((await runAcp(["audit", "keygen", "--out", key, "--rotate"])).code).toBe(0);
    const rotated = JSON.parse(readFileSync(key, "utf8"));
    expect(rotated.signing_key).not.toBe(first.signing_key);
    expect(rotated.retired_public_keys).toHaveLength(1);
    expect(statSync(key).mode & 0o777).toBe(0o600);

    const badName = await runAcp(["audit", "keygen", "--out", join(dir, "x.json"), "--origin", "has space"]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/origin/);
  });
});

describe("acp audit export and verify", () => {
  it("exports a bundle that verifies offline, and reports an edited event with exit 1", async () => {
    const db = await databaseWithActivity();
    const key = join(dir, "key.json");
    await runAcp(["audit", "keygen", "--out", key]);
    const recovered = await runAcp(["recover", "--sqlite", db, "--audit-key", key]);
    expect(recovered.code).toBe(0);
    expect(JSON.parse(recovered.stdout)).toMatchObject({ checkpointsSealed: 1 });

    const out = join(dir, "bundle.json");
    const exported = await runAcp(["audit", "export", "--sqlite", db, "--key", key, "--out", out]);
    expect(exported).toMatchObject({ code: 0, stdout: expect.stringMatching(/exported \d+ events/) });
    const verified = await runAcp(["audit", "verify", out]);
    expect(verified).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: \d+ events verified/) });

    const bundle = JSON.parse(readFileSync(out, "utf8")) as AuditBundle;
    const edited = { ...bundle, events: bundle.events.map((e, i) => (i === 2 ? { ...e, at: e.at + 1 } : e)) };
    writeFileSync(out, JSON.stringify(edited));
    const failed = await runAcp(["audit", "verify", out]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(new RegExp(`^inclusion_failed.*event id ${bundle.events[2]!.id}`, "m"));
    expect(failed.stderr).toMatch(/problems? found/);
    const json = await runAcp(["audit", "verify", out, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problems: expect.any(Array) });

    writeFileSync(out, "{ not json");
    const garbage = await runAcp(["audit", "verify", out]);
    expect(garbage).toMatchObject({ code: 1, stdout: expect.stringMatching(/^bundle_invalid/) });
  });

  it("reports a log rewritten and re-sealed after a trusted checkpoint", async () => {
    const db = await databaseWithActivity();
    const key = join(dir, "key.json");
    await runAcp(["audit", "keygen", "--out", key]);
    const first = join(dir, "first.json");
    expect((await runAcp(["audit", "export", "--sqlite", db, "--key", key, "--out", first])).code).toBe(0);
    const trusted = join(dir, "trusted.txt");
    writeFileSync(trusted, (JSON.parse(readFileSync(first, "utf8")) as AuditBundle).checkpoint);

    const sql = new Database(db);
    sql.prepare("UPDATE acp_events SET payload = json_set(payload, '$.rewritten', 1) WHERE id > 1").run();
    sql.prepare("DELETE FROM acp_checkpoints").run();
    sql.close();
    const second = join(dir, "second.json");
    expect((await runAcp(["audit", "export", "--sqlite", db, "--key", key, "--out", second])).code).toBe(0);
    expect((await runAcp(["audit", "verify", second])).code).toBe(0);
    const checked = await runAcp(["audit", "verify", second, "--trusted-checkpoint", trusted]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/^inconsistent_with_trusted_checkpoint: /m);
  });

  it("refuses an export without a key file or from an empty log", async () => {
    const missing = await runAcp(["audit", "export", "--sqlite", join(dir, "none.db"), "--out", "x.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--key/);
    const key = join(dir, "key.json");
    await runAcp(["audit", "keygen", "--out", key]);
    const db = join(dir, "empty.db");
    const storage = createSqliteStorage({ path: db });
    await storage.open();
    await storage.close();
    const empty = await runAcp([
      "audit",
      "export",
      "--sqlite",
      db,
      "--key",
      key,
      "--out",
      join(dir, "e.json"),
    ]);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(/empty/);
  });
});

describe("acp serve with audit keys", () => {
  it("seals checkpoints in its maintenance loop and serves the newest at GET /v1/audit/checkpoint", async () => {
    const key = join(dir, "key.json");
    await runAcp(["audit", "keygen", "--out", key, "--origin", "acp.test/serve"]);
    const config = join(dir, "serve.yaml");
    writeFileSync(
      config,
      `sqlite: acp.db\npolicy: ${resolve("examples/policy.yaml")}\nmaintenance_interval: 100ms\naudit:\n  signing_key_file: key.json\n`,
    );
    const server = await startServe(["--config", config]);
    try {
      const token = server.adminToken!;
      const session = await call(server.url, "/v1/sessions", { token, body: { name: "sealed" } });
      expect(session.status).toBe(201);
      let answer: Response = await call(server.url, "/v1/audit/checkpoint", { token });
      // The maintenance loop seals on its next pass: poll until it has (no timing is asserted).
      for (let i = 0; i < 200 && answer.status === 404; i++) {
        await new Promise((r) => setTimeout(r, 50));
        answer = await call(server.url, "/v1/audit/checkpoint", { token });
      }
      expect(answer.status).toBe(200);
      const body = (await answer.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ origin: "acp.test/serve", tree_size: expect.any(Number) });
      expect(String(body.checkpoint)).toMatch(
        /^acp\.test\/serve\n\d+\n\S+\n\n\u2014 acp\.test\/serve \S+\n$/,
      );
      writeFileSync(join(dir, "trusted.json"), JSON.stringify(body));
      expect((await call(server.url, "/v1/audit/checkpoint")).status).toBe(401);
    } finally {
      server.process.kill("SIGTERM");
      await server.exited;
    }
    const out = join(dir, "bundle.json");
    const db = join(dir, "acp.db");
    expect((await runAcp(["audit", "export", "--sqlite", db, "--key", key, "--out", out])).code).toBe(0);
    const verified = await runAcp([
      "audit",
      "verify",
      out,
      "--trusted-checkpoint",
      join(dir, "trusted.json"),
    ]);
    expect(verified).toMatchObject({
      code: 0,
      stdout: expect.stringContaining("extends the trusted checkpoint"),
    });
  });
});
