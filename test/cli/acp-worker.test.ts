import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import { spawnTs } from "../support/child-process.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";

const CLI = "src/cli/acp.ts";
const acp = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { encoding: "utf8", timeout: 60_000 });

describe("acp worker / acp recover", () => {
  let dir: string;
  let db: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "acp-cli-"));
    db = join(dir, "cp.db");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Opens a ticket that is due almost at once, and returns its id. */
  const dueTicket = async () => {
    const storage = createSqliteStorage({ path: db });
    const cp = await createControlPlane({
      storage,
      policy: { ...TEST_POLICY, approvals: { timeout: "1ms" } },
    });
    const s = await cp.openSession();
    const d = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "svc" });
    await cp.close();
    await storage.close();
    await new Promise((r) => setTimeout(r, 5));
    if (d.outcome !== "pending_approval") throw new Error("expected a ticket");
    return d.ticketId;
  };
  const ticketStatus = async (id: string) => {
    const storage = createSqliteStorage({ path: db });
    const cp = await createControlPlane({ storage, policy: TEST_POLICY, recoverOnStart: false });
    const t = await cp.getTicket(id);
    await storage.close();
    return t.status;
  };

  it("rejects bad command lines with exit code 2 and a message naming the problem", () => {
    expect(acp().status).toBe(2);
    expect(acp("--help").status).toBe(0);
    const unknown = acp("frobnicate");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const none = acp("worker");
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("--sqlite / --postgres");
    const both = acp("recover", "--sqlite", db, "--postgres", "postgres://x");
    expect(both.status).toBe(2);
    const interval = acp("worker", "--sqlite", db, "--interval", "soon");
    expect(interval.status).toBe(2);
    expect(interval.stderr).toContain("--interval");
    expect(acp("worker", "--sqlite", db, "--bogus").stderr).toContain("--bogus");
  });

  it("acp recover runs one pass and prints what it did", async () => {
    const ticket = await dueTicket();
    const run = acp("recover", "--sqlite", db);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim().split("\n").at(-1)!)).toMatchObject({ expired: 1, escalated: 0 });
    expect(await ticketStatus(ticket)).toBe("expired");
  });

  it("acp worker expires due tickets until SIGTERM, then exits cleanly", async () => {
    const ticket = await dueTicket();
    const worker = spawnTs(CLI, ["worker", "--sqlite", db, "--interval", "50ms"]);
    await worker.waitForLines(2);
    expect(worker.lines.join("\n")).toContain('"expired":1');
    worker.process.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(worker.lines.at(-1)).toBe("acp worker: stopped");
    expect(await ticketStatus(ticket)).toBe("expired");
  });
});
