import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createPostgresStorage } from "../../src/storage/postgres/index.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import type { Storage } from "../../src/storage/storage.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { adminQuery, DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "../support/postgres.js";
import { runAcp } from "../support/run-acp.js";

const server = await probePostgres();

/** Opens a session with three allowed, completed proposals (8 events); returns its id. */
async function activity(storage: Storage): Promise<string> {
  const cp = await createControlPlane({ storage, policy: TEST_POLICY });
  const session = await cp.openSession({ name: "cli" });
  for (let i = 0; i < 3; i++) {
    const d = await cp.propose({ sessionId: session.id, action: "read_file", resourceId: `f${i}` });
    await cp.complete(d.proposalId, { ok: true });
  }
  await cp.close();
  await storage.close();
  return session.id;
}

describe("acp audit check on SQLite", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "acp-audit-check-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("prints ok for an untouched log and each problem with exit 1 once an event is deleted", async () => {
    const db = join(dir, "cp.db");
    const session = await activity(await createSqliteStorage({ path: db }));
    const ok = await runAcp(["audit", "check", "--sqlite", db]);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: \d+ events verified/) });
    const one = await runAcp(["audit", "check", "--sqlite", db, "--session", session, "--json"]);
    expect(JSON.parse(one.stdout)).toEqual({ ok: true, checkedEvents: 8, problems: [] });

    const sql = new Database(db);
    sql.prepare("DELETE FROM acp_events WHERE session_id = ? AND seq = 5").run(session);
    sql.close();
    const failed = await runAcp(["audit", "check", "--sqlite", db]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(new RegExp(`^missing_event \\(session ${session}, seq 5\\): `, "m"));
    expect(failed.stderr).toMatch(/problems? found/);
    const json = await runAcp(["audit", "check", "--sqlite", db, "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([expect.objectContaining({ kind: "missing_event", seq: 5 })]),
    });
  });

  it("exits 2 without a database and 3 for an unknown session", async () => {
    const none = await runAcp(["audit", "check"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--sqlite/);
    const db = join(dir, "cp.db");
    await activity(await createSqliteStorage({ path: db }));
    const unknown = await runAcp([
      "audit",
      "check",
      "--sqlite",
      db,
      "--session",
      "0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d",
    ]);
    expect(unknown.code).toBe(3);
  });
});

describe.skipIf(!server.available)("acp audit check on PostgreSQL", () => {
  const schema = uniqueSchema("audit_check");
  afterAll(() => dropSchema(schema));

  it("reports an edited payload as payload_changed with exit 1", async () => {
    const session = await activity(createPostgresStorage({ connectionString: DATABASE_URL, schema }));
    const args = ["audit", "check", "--postgres", DATABASE_URL, "--schema", schema];
    expect(await runAcp(args)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: /) });
    await adminQuery(
      `UPDATE "${schema}".acp_events SET payload = jsonb_set(payload, '{tampered}', 'true') WHERE session_id = $1 AND seq = 2`,
      [session],
    );
    const failed = await runAcp(args);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(new RegExp(`^payload_changed \\(session ${session}, seq 2\\): `, "m"));
  });
});
