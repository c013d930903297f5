import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { generateKeyFile, parseKeyFile } from "../../src/engines/audit/keys.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(withKeys: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "acp-verify-cp-"));
  const path = join(dir, "cp.db");
  const storage = await createSqliteStorage({ path });
  const auditKeys = parseKeyFile(generateKeyFile("acp.test/verify"));
  const cp = await createControlPlane({ storage, policy: TEST_POLICY, ...(withKeys ? { auditKeys } : {}) });
  const db = new Database(path);
  cleanups.push(async () => {
    db.close();
    await cp.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const session = await cp.openSession({ agentId: "bot" });
  const d = await cp.propose({ sessionId: session.id, action: "write_file", resourceId: "a" });
  await cp.complete(d.proposalId, { ok: true });
  // A global kill switch: its events belong to no session, so no session chain covers them.
  await cp.kill({ scope: "global", reason: "drill" });
  await cp.resume({ scope: "global" });
  return { cp, db };
}

describe("verifyAudit with audit keys: the session chains and the signed checkpoints together", () => {
  it("verifies an untouched log, counting every event of the feed", async () => {
    const { cp, db } = await setup(true);
    expect(await cp.sealCheckpoint()).toBeDefined();
    const feed = (db.prepare("SELECT COUNT(*) AS n FROM acp_events").get() as { n: number }).n;
    const report = await cp.verifyAudit();
    expect(report).toEqual({ ok: true, checkedEvents: feed, problems: [] });
  });

  it("reports an edited event outside every session (no chain covers it) through the checkpoint", async () => {
    const { cp, db } = await setup(true);
    await cp.sealCheckpoint();
    const edited = db
      .prepare("UPDATE acp_events SET payload = ? WHERE session_id IS NULL AND kind = 'kill_switch_engaged'")
      .run(JSON.stringify({ scope: "global", target: "", reason: "nothing happened" }));
    expect(edited.changes).toBe(1);
    const report = await cp.verifyAudit();
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.kind)).toContain("root_mismatch");
    // Without the keys only the chains are checked: the same edit goes unseen, which is why checkpoints exist.
    const storage = await createSqliteStorage({ path: db.name });
    const chainsOnly = await createControlPlane({ storage, policy: TEST_POLICY, recoverOnStart: false });
    cleanups.push(async () => {
      await chainsOnly.close();
      await storage.close();
    });
    expect((await chainsOnly.verifyAudit()).ok).toBe(true);
  });

  it("checks only the session's chain for a one-session query", async () => {
    const { cp, db } = await setup(true);
    await cp.sealCheckpoint();
    db.prepare("UPDATE acp_events SET payload = '{}' WHERE session_id IS NULL").run();
    const [session] = await cp.listSessions();
    const report = await cp.verifyAudit({ sessionId: session!.id });
    expect(report.ok).toBe(true);
    expect(report.checkedEvents).toBeGreaterThan(0);
  });
});
