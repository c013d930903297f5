import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import { type HttpHarness, startHttp, TOKENS } from "../support/http-server.js";

type Report = {
  ok: boolean;
  checked_events: number;
  problems: { kind: string; session_id: string | null; seq: number | null; detail: string }[];
};

describe("GET /v1/audit/verify on a SQLite database", () => {
  let dir: string;
  let db: string;
  let h: HttpHarness;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "acp-audit-verify-"));
    db = join(dir, "cp.db");
    h = await startHttp({ storage: await createSqliteStorage({ path: db }) });
  });
  afterEach(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A session with two allowed, completed proposals: 6 events. */
  async function seed(name: string): Promise<string> {
    const s = await h.cp.openSession({ agentId: "agent-a", name });
    for (const f of ["a", "b"]) {
      const d = await h.cp.propose({ sessionId: s.id, action: "read_file", resourceId: `${name}/${f}` });
      await h.cp.complete(d.proposalId, { ok: true });
    }
    return s.id;
  }

  const verify = async (query = "", token: string = TOKENS.viewer) => {
    const res = await h.call(`/v1/audit/verify${query}`, { token });
    expect(res.status).toBe(200);
    return (await res.json()) as Report;
  };

  it("answers ok for an untouched log, for all of it and for one session", async () => {
    const one = await seed("one");
    await seed("two");
    const sql = new Database(db, { readonly: true });
    const count = (where: string, ...p: unknown[]) =>
      Number(
        (sql.prepare(`SELECT count(*) AS n FROM acp_events WHERE ${where}`).get(...p) as { n: number }).n,
      );
    const all = count("session_id IS NOT NULL");
    const mine = count("session_id = ?", one);
    sql.close();
    expect(mine).toBe(6);
    expect(await verify()).toEqual({ ok: true, checked_events: all, problems: [] });
    expect(await verify(`?session_id=${one}`)).toEqual({ ok: true, checked_events: mine, problems: [] });
  });

  it("reports an edited payload byte as payload_changed with its session and seq", async () => {
    const edited = await seed("edited");
    const clean = await seed("clean");
    const sql = new Database(db);
    const row = sql
      .prepare("SELECT payload FROM acp_events WHERE session_id = ? AND seq = 3")
      .get(edited) as { payload: string };
    const changed = row.payload.replace(/:"([a-z])/, (m, c: string) => m.replace(c, c === "a" ? "b" : "a"));
    expect(changed).not.toBe(row.payload);
    sql.prepare("UPDATE acp_events SET payload = ? WHERE session_id = ? AND seq = 3").run(changed, edited);
    sql.close();

    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { kind: "payload_changed", session_id: edited, seq: 3, detail: expect.any(String) },
    ]);
    expect((await verify(`?session_id=${clean}`)).ok).toBe(true);
    expect((await verify(`?session_id=${edited}`, TOKENS.admin)).problems).toHaveLength(1);
  });

  it("reports a deleted middle event as missing_event", async () => {
    const s = await seed("gap");
    const sql = new Database(db);
    sql.prepare("DELETE FROM acp_events WHERE session_id = ? AND seq = 4").run(s);
    sql.close();
    const report = await verify(`?session_id=${s}`);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => `${p.kind}@${p.seq}`)).toContain("missing_event@4");
  });

  it("refuses agent tokens (403) and no token (401), 404 for an unknown session, 422 for a bad id", async () => {
    const s = await seed("auth");
    const agent = await h.call(`/v1/audit/verify?session_id=${s}`, { token: TOKENS.agentA });
    expect(agent.status).toBe(403);
    expect((await h.call("/v1/audit/verify")).status).toBe(401);
    const unknown = await h.call("/v1/audit/verify?session_id=0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d", {
      token: TOKENS.viewer,
    });
    expect(unknown.status).toBe(404);
    const bad = await h.call("/v1/audit/verify?session_id=nope", { token: TOKENS.viewer });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ details: { issues: [{ path: "query.session_id" }] } });
  });
});
