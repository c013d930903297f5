import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import { type HttpHarness, startHttp, TOKENS } from "../support/http-server.js";
import { runAcp, runAcpProcess } from "../support/run-acp.js";

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
    // Following a feed that was never reachable fails too, instead of retrying forever.
    const follow = await runAcp(["events", "tail", "--follow", "--url", url, "--token", TOKENS.viewer]);
    expect(follow.code).toBe(1);
    expect(follow.stderr).toContain(`cannot reach ${url}`);
  });

  it("a server error (5xx) is a failure (exit 1) with the envelope's message and code", async () => {
    await h.storage.close();
    const r = await runAcp(["sessions", "list"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^acp sessions list: HTTP 50\d: .+ \((storage_failure|closed|internal)\)$/m);
  });

  it("runs as its own process with ACP_URL / ACP_TOKEN from the environment", async () => {
    const s = await h.cp.openSession({ name: "from a process" });
    const child = await runAcpProcess(["sessions", "list", "--json"], env);
    expect(child.stderr).toBe("");
    expect(child.code).toBe(0);
    expect(JSON.parse(child.stdout)).toMatchObject([{ id: s.id, session_name: "from a process" }]);
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
