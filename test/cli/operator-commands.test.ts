/**
 * The operator commands whose routes the [contract], [write] and [auth] engineers build (tickets, kill/resume,
 * session events, the event stream and state changes, tokens): written against the route table of the common
 * brief, they pass once those routes are merged.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import { type HttpHarness, startHttp, TOKENS } from "../support/http-server.js";
import { runAcp } from "../support/run-acp.js";
import { startWithTokens } from "../support/token-server.js";

const dir = mkdtempSync(join(tmpdir(), "acp-commands-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

let h: HttpHarness;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  h = await startHttp({ storage: createSqliteStorage({ path: join(dir, `cp-${n++}.db`) }) });
  env = { ACP_URL: h.url, ACP_TOKEN: TOKENS.approver };
});
afterEach(() => h.close());

/** Opens a session of agent-a with one pending `deploy` ticket; returns both ids. */
async function pendingTicket(resourceId = "svc") {
  const s = await h.cp.openSession({ name: "deploys", agentId: "agent-a" });
  const d = await h.cp.propose({ sessionId: s.id, agentId: "agent-a", action: "deploy", resourceId });
  if (d.outcome !== "pending_approval") throw new Error(`expected a ticket, got ${d.outcome}`);
  return { sessionId: s.id, ticketId: d.ticketId, proposalId: d.proposalId };
}

describe("acp tickets", () => {
  it("lists pending tickets as a table and as JSON, and shows one", async () => {
    const { ticketId, sessionId } = await pendingTicket();
    const table = await runAcp(["tickets", "list", "--status", "pending"], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^ID\s+STATUS\s+ACTION\s+RESOURCE\s+AGENT\s+RISK\s+COST\s+CREATED\s+DECIDED BY$/m,
    );
    expect(table.stdout).toMatch(new RegExp(`^${ticketId}\\s+pending\\s+deploy\\s+svc\\s+agent-a\\s`, "m"));

    const json = await runAcp(["tickets", "list", "--session", sessionId, "--limit", "10", "--json"], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).items.map((t: { id: string }) => t.id)).toEqual([ticketId]);
    const none = await runAcp(["tickets", "list", "--status", "approved", "--json"], env);
    expect(JSON.parse(none.stdout).items).toEqual([]);

    const show = await runAcp(["tickets", "show", ticketId], env);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^request\.action\s+deploy$/m);
    expect(show.stdout).toMatch(/^status\s+pending$/m);
    const shown = JSON.parse((await runAcp(["tickets", "show", ticketId, "--json"], env)).stdout);
    expect(shown).toMatchObject({ id: ticketId, session_id: sessionId, status: "pending" });
  });

  it("approves once: decided_by is the token's principal; a second decision is a conflict (exit 4)", async () => {
    const { ticketId } = await pendingTicket();
    const r = await runAcp(["tickets", "approve", ticketId, "--reason", "change window"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`approved ticket ${ticketId} (allow_once)`);
    const t = await h.cp.getTicket(ticketId);
    expect(t).toMatchObject({ status: "approved", decidedBy: "alice", reason: "change window" });
    expect(t.scope?.kind).toBe("once");

    const again = await runAcp(["tickets", "deny", ticketId, "--reason", "too late"], env);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain("HTTP 409");
  });

  it("approves for the session with limits", async () => {
    const { ticketId } = await pendingTicket();
    const r = await runAcp(
      [
        "tickets",
        "approve",
        ticketId,
        "--session-scope",
        "--actions",
        "deploy",
        "--resources",
        "svc,db",
        "--max-cost",
        "3",
        "--max-uses",
        "2",
        "--expires",
        "1h",
        "--json",
      ],
      env,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      id: ticketId,
      status: "approved",
      decision_type: "allow_for_session",
    });
    const scope = (await h.cp.getTicket(ticketId)).scope!;
    expect(scope).toMatchObject({
      kind: "session",
      resourceIds: ["svc", "db"],
      maxCostPerAction: "3",
      maxUses: 2,
    });
    expect(scope.expiresAt).toBeGreaterThan(Date.now());
  });

  it("denies with a reason", async () => {
    const { ticketId, proposalId } = await pendingTicket();
    const r = await runAcp(["tickets", "deny", ticketId, "--reason", "wrong service", "--json"], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: "denied",
      decided_by: "alice",
      decision_reason: "wrong service",
    });
    expect((await h.cp.getProposal(proposalId)).status).toBe("denied");
  });

  it("exit codes: an agent token cannot decide (5), an unknown ticket is 3, a bad scope value is 2", async () => {
    const { ticketId } = await pendingTicket();
    const agent = await runAcp(["tickets", "approve", ticketId, "--token", TOKENS.agentA], env);
    expect(agent.code).toBe(5);
    expect(agent.stderr).toContain("HTTP 403");
    expect((await h.cp.getTicket(ticketId)).status).toBe("pending");
    const unknown = await runAcp(["tickets", "approve", "01890000-0000-7000-8000-000000000000"], env);
    expect(unknown.code).toBe(3);
    const invalid = await runAcp(["tickets", "show", "not-a-uuid"], env);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("HTTP 422");
  });
});

describe("acp kill / acp resume", () => {
  it("kill agent denies the agent's next proposal; resume releases it", async () => {
    const s = await h.cp.openSession({ agentId: "agent-a" });
    const op = { ACP_URL: h.url, ACP_TOKEN: TOKENS.operator };
    const k = await runAcp(["kill", "agent", "agent-a", "--reason", "runaway loop", "--json"], op);
    expect(k.stderr).toBe("");
    expect(k.code).toBe(0);
    expect(JSON.parse(k.stdout)).toMatchObject({ scope: "agent_abort", agent_id: "agent-a" });
    const denied = await h.cp.propose({ sessionId: s.id, agentId: "agent-a", action: "read_file" });
    expect(denied).toMatchObject({ outcome: "denied", code: "kill_switch" });

    const r = await runAcp(["resume", "agent", "agent-a"], op);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("kill switch released (agent agent-a)");
    const again = await runAcp(["resume", "agent", "agent-a", "--json"], op);
    expect(JSON.parse(again.stdout)).toEqual({ released: false });
    const s2 = await h.cp.openSession({ agentId: "agent-a" });
    expect((await h.cp.propose({ sessionId: s2.id, agentId: "agent-a", action: "read_file" })).outcome).toBe(
      "allowed",
    );
  });

  it("kill session and kill system, then resume system; approvers may not kill (exit 5)", async () => {
    const op = { ACP_URL: h.url, ACP_TOKEN: TOKENS.operator };
    const s = await h.cp.openSession({ agentId: "agent-a" });
    const forbidden = await runAcp(["kill", "system", "--reason", "x"], env);
    expect(forbidden.code).toBe(5);
    const ks = await runAcp(["kill", "session", s.id, "--reason", "stuck"], op);
    expect(ks.code).toBe(0);
    expect(ks.stdout).toContain(`kill switch engaged (session ${s.id})`);
    const sys = await runAcp(["kill", "system", "--reason", "incident 7", "--json"], op);
    expect(JSON.parse(sys.stdout)).toMatchObject({ scope: "system_halt" });
    const other = await h.cp.openSession({ agentId: "agent-b" });
    expect((await h.cp.propose({ sessionId: other.id, action: "read_file" })).code).toBe("kill_switch");
    expect((await runAcp(["resume", "system"], op)).code).toBe(0);
    expect((await h.cp.propose({ sessionId: other.id, action: "read_file" })).outcome).toBe("allowed");
    expect(
      (await runAcp(["kill", "session", "01890000-0000-7000-8000-000000000000", "--reason", "x"], op)).code,
    ).toBe(3);
  });
});

/** Opens a session of agent-a and makes `count` allowed proposals in it. */
async function busySession(count: number) {
  const s = await h.cp.openSession({ agentId: "agent-a" });
  for (let i = 0; i < count; i++)
    await h.cp.propose({ sessionId: s.id, action: "log_note", resourceId: `n${i}` });
  return s.id;
}

describe("acp sessions show / acp events", () => {
  it("sessions show prints the session and its most recent events", async () => {
    const id = await busySession(5);
    const lastSeq = (await h.cp.getSession(id)).lastSeq;
    const text = await runAcp(["sessions", "show", id, "--events", "3"], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("recent events:");
    expect(text.stdout).toMatch(/^TIME\s+SESSION\s+SEQ\s+KIND\s+AGENT\s+PAYLOAD$/m);
    const json = JSON.parse((await runAcp(["sessions", "show", id, "--events", "3", "--json"], env)).stdout);
    expect(json.session.id).toBe(id);
    expect(json.events.map((e: { seq: number }) => e.seq)).toEqual([lastSeq - 2, lastSeq - 1, lastSeq]);
  });

  it("events tail prints the latest events of a session (JSON lines with --json) or of all sessions", async () => {
    const id = await busySession(4);
    const lastSeq = (await h.cp.getSession(id)).lastSeq;
    const r = await runAcp(["events", "tail", "--session", id, "--limit", "2", "--json"], env);
    expect(r.code).toBe(0);
    const frames = r.stdout.split("\n").map((l) => JSON.parse(l));
    expect(frames.map((f) => f.seq)).toEqual([lastSeq - 1, lastSeq]);
    const all = await runAcp(["events", "tail", "--limit", "3"], env);
    expect(all.code).toBe(0);
    expect(all.stdout.split("\n")).toHaveLength(4);
  });

  it("events export --format jsonl pages through every state change, to a file or standard output", async () => {
    const a = await busySession(3);
    await busySession(2);
    const file = join(dir, `export-${n}.jsonl`);
    const r = await runAcp(["events", "export", "--format", "jsonl", "--output", file], env);
    expect(r.code).toBe(0);
    const lines = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    const cursors = lines.map((l) => l.cursor as number);
    expect(cursors).toEqual([...cursors].sort((x, y) => x - y));
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(r.stderr).toContain(`exported ${lines.length} state changes to ${file}`);

    const onlyA = await runAcp(["events", "export", "--session", a], env);
    const frames = onlyA.stdout.split("\n").map((l) => JSON.parse(l));
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.event.session_id === a)).toBe(true);
    const resumed = await runAcp(["events", "export", "--cursor", String(cursors[0]!)], env);
    expect(resumed.stdout.split("\n")).toHaveLength(lines.length - 1);
  });

  it("events tail --follow prints the live feed and resumes after a dropped connection without gaps or repeats", async () => {
    const s = await h.cp.openSession({ agentId: "agent-a" });
    const printed: { seq: number; event_id: string }[] = [];
    const following = runAcp(
      ["events", "tail", "--follow", "--session", s.id, "--max", "8", "--json"],
      env,
      (line) => printed.push(JSON.parse(line)),
    );
    let done = false;
    void following.then(() => {
      done = true;
    });
    const tick = () => new Promise((r) => setTimeout(r, 25));
    let i = 0;
    // The stream starts "now": make events until the follower has printed some.
    while (printed.length < 2 && !done) {
      await h.cp.propose({ sessionId: s.id, action: "log_note", resourceId: `a${i++}` });
      await tick();
    }
    h.dropConnections();
    // Events made while it is disconnected are replayed after Last-Event-ID.
    await h.cp.propose({ sessionId: s.id, action: "log_note", resourceId: `b${i++}` });
    while (!done) {
      await h.cp.propose({ sessionId: s.id, action: "log_note", resourceId: `c${i++}` });
      await tick();
    }
    const r = await following;
    expect(r.code).toBe(0);
    expect(printed).toHaveLength(8);
    const seqs = printed.map((f) => f.seq);
    expect(new Set(seqs).size).toBe(8);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    // Exactly the frames the session's audit log has in that range: nothing missed across the drop.
    const page = (await (
      await h.call(`/v1/sessions/${s.id}/events?after_seq=${seqs[0]! - 1}&limit=1000`, {
        token: TOKENS.viewer,
      })
    ).json()) as { items: { seq: number; event_id: string }[] };
    const expected = page.items.filter((f) => f.seq <= seqs.at(-1)!).map((f) => f.event_id);
    expect(printed.map((f) => f.event_id)).toEqual(expected);
  });
});

describe("acp tokens", () => {
  it("creates a token shown once, lists it without its secret, and revokes it", async () => {
    const s = await startWithTokens(join(dir, `tokens-${n++}.db`));
    try {
      const admin = { ACP_URL: s.url, ACP_TOKEN: s.admin };
      const created = await runAcp(
        ["tokens", "create", "--role", "approver", "--name", "bob", "--expires", "30d", "--json"],
        admin,
      );
      expect(created.stderr).toBe("");
      expect(created.code).toBe(0);
      const record = JSON.parse(created.stdout);
      expect(record).toMatchObject({ role: "approver", name: "bob" });
      expect(typeof record.token).toBe("string");
      const text = await runAcp(["tokens", "create", "--role", "agent", "--agent", "agent-a"], admin);
      expect(text.stdout).toContain("token (shown only now");

      const bob = { ACP_URL: s.url, ACP_TOKEN: record.token };
      expect((await runAcp(["sessions", "list"], bob)).code).toBe(0);
      expect((await runAcp(["tokens", "list"], bob)).code).toBe(5);

      const list = await runAcp(["tokens", "list", "--json"], admin);
      const tokens = JSON.parse(list.stdout) as Record<string, unknown>[];
      expect(tokens.map((t) => t.id)).toContain(record.id);
      expect(list.stdout).not.toContain(record.token);
      const table = await runAcp(["tokens", "list"], admin);
      expect(table.stdout).toMatch(new RegExp(`^${record.id}\\s+bob\\s+approver\\s`, "m"));

      const revoked = await runAcp(["tokens", "revoke", record.id], admin);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toBe(`revoked token ${record.id} (bob)`);
      expect((await runAcp(["sessions", "list"], bob)).code).toBe(5);
      const unknownId = "0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d";
      expect((await runAcp(["tokens", "revoke", unknownId], admin)).code).toBe(3);
      expect((await runAcp(["tokens", "revoke", "no-such-token"], admin)).code).toBe(2);
    } finally {
      await s.close();
    }
  });
});
