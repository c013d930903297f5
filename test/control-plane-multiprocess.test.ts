import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import { spawnTs } from "./support/child-process.js";
import { TEST_POLICY } from "./support/control-plane-fixture.js";

const WORKER = "test/fixtures/propose-worker.ts";

describe("control plane across processes on one SQLite file", () => {
  let dir: string;
  let dbPath: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "acp-mp-"));
    dbPath = join(dir, "cp.db");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const openSession = async (maxActions: number) => {
    const storage = await createSqliteStorage({ path: dbPath });
    const cp = await createControlPlane({ storage, policy: TEST_POLICY });
    const s = await cp.openSession({ budget: { maxActions } });
    await storage.close();
    return s.id;
  };

  it("8 processes × 200 proposals with a budget of 500 actions ⇒ exactly 500 allowed, gap-free seqs", async () => {
    const sessionId = await openSession(500);
    const children = Array.from({ length: 8 }, (_, w) =>
      spawnTs(WORKER, [dbPath, sessionId, "200", String(w)]),
    );
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes).toEqual(Array(8).fill(0));
    const decisions = children.flatMap((c) =>
      c.lines.map((l) => JSON.parse(l) as { outcome: string; code: string }),
    );
    expect(decisions).toHaveLength(1600);
    expect(decisions.filter((d) => d.outcome === "allowed")).toHaveLength(500);
    expect(decisions.filter((d) => d.outcome !== "allowed").every((d) => d.code === "budget_exhausted")).toBe(
      true,
    );

    const db = new Database(dbPath, { readonly: true });
    try {
      const seqs = db
        .prepare("SELECT seq FROM acp_events WHERE session_id = ? ORDER BY seq")
        .pluck()
        .all(sessionId) as number[];
      expect(seqs.length).toBeGreaterThan(1600);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      const used = db.prepare("SELECT used_actions FROM acp_sessions WHERE id = ?").pluck().get(sessionId);
      expect(used).toBe(500);
    } finally {
      db.close();
    }
  });

  it("kill -9 of a worker mid-run ⇒ the file opens cleanly and every returned decision is in the log", async () => {
    const sessionId = await openSession(100_000);
    const victim = spawnTs(WORKER, [dbPath, sessionId, "100000", "v", "1"]);
    const bystander = spawnTs(WORKER, [dbPath, sessionId, "150", "b"]);
    await victim.waitForLines(60);
    victim.process.kill("SIGKILL");
    expect(await victim.exited).toBe("SIGKILL");
    expect(await bystander.exited).toBe(0);
    const reported = [...victim.lines, ...bystander.lines].map(
      (l) => (JSON.parse(l) as { proposalId: string }).proposalId,
    );

    const db = new Database(dbPath);
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const logged = new Set(
        db
          .prepare("SELECT proposal_id FROM acp_events WHERE kind = 'proposal_decided'")
          .pluck()
          .all() as string[],
      );
      const stored = new Set(db.prepare("SELECT id FROM acp_proposals").pluck().all() as string[]);
      for (const id of reported) {
        expect(logged.has(id)).toBe(true);
        expect(stored.has(id)).toBe(true);
      }
      const seqs = db
        .prepare("SELECT seq FROM acp_events WHERE session_id = ? ORDER BY seq")
        .pluck()
        .all(sessionId) as number[];
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    } finally {
      db.close();
    }
    // The control plane keeps working on the same file after the crash.
    const storage = await createSqliteStorage({ path: dbPath });
    const cp = await createControlPlane({ storage, policy: TEST_POLICY });
    expect((await cp.propose({ sessionId, action: "read_file", resourceId: "after" })).outcome).toBe(
      "allowed",
    );
    await storage.close();
  });
});
