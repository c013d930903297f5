import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call, spawnServe, startServe } from "../support/serve-process.js";

const POLICY = resolve("examples/policy.yaml");

describe("acp serve (real process)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "acp-serve-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("creates its database, prints its URL and a first admin token, serves the API, logs, and stops on SIGTERM", async () => {
    const db = join(dir, "nested", "dir", "acp.db");
    const server = await startServe(["--sqlite", db, "--policy", POLICY]);
    expect(existsSync(db)).toBe(true);
    expect(server.lines).toContain(`acp serve listening on ${server.url} (sqlite ${db})`);
    const token = server.adminToken!;
    expect(token).toMatch(/^\S{32,}$/);

    expect((await call(server.url, "/v1/sessions")).status).toBe(401);
    const opened = await call(server.url, "/v1/sessions", { token, body: { name: "first" } });
    expect(opened.status).toBe(201);
    const session = (await opened.json()) as { id: string };
    const list = await call(server.url, "/v1/sessions", { token });
    expect(list.status).toBe(200);
    expect(JSON.stringify(await list.json())).toContain(session.id);

    // The README's quick start: the admin gives an agent its token; the agent opens a session and proposes.
    const created = await call(server.url, "/v1/tokens", {
      token,
      body: { role: "agent", agent_id: "support-bot", name: "support-bot" },
    });
    expect(created.status).toBe(201);
    const agent = ((await created.json()) as { token: string }).token;
    const own = (await (
      await call(server.url, "/v1/sessions", { token: agent, body: { name: "ticket 42" } })
    ).json()) as {
      id: string;
    };
    const decision = await call(server.url, "/v1/proposals", {
      token: agent,
      body: { session_id: own.id, action: "read_ticket", resource_id: "T-42" },
    });
    expect(await decision.json()).toMatchObject({ outcome: "allowed" });

    // One line per request (method, path, status, duration, principal, request id) and one per state change.
    await server.waitForLine(/ POST \/v1\/sessions 201 [\d.]+ms admin:\S+ req=\S+/);
    await server.waitForLine(/ GET \/v1\/sessions 401 [\d.]+ms - req=\S+/);
    await server.waitForLine(new RegExp(`event session_opened .*session_id=${session.id}`));
    const tokenLines = server.lines.filter((l) => l.includes(token));
    expect(tokenLines.every((l) => l.trim() === token || l.includes("Use it as a bearer token"))).toBe(true);

    server.process.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    expect(server.lines.at(-1)).toMatch(/acp serve: stopped$/);
    expect(server.lines.join("\n")).not.toContain(agent);

    // A restart on the same file keeps the data and the token, and prints no new admin token.
    const again = await startServe(["--sqlite", db, "--policy", POLICY]);
    expect(again.adminToken).toBeUndefined();
    expect(again.lines.join("\n")).not.toContain("admin token");
    const kept = await call(again.url, `/v1/sessions/${session.id}`, { token });
    expect(kept.status).toBe(200);
    again.process.kill("SIGINT");
    expect(await again.exited).toBe(0);
  });

  it("runs the maintenance loop: a ticket past its deadline expires without any request, and is logged", async () => {
    const policy = join(dir, "policy.yaml");
    writeFileSync(policy, "version: 1\nactions:\n  alwaysApprove: [deploy]\napprovals:\n  timeout: 50ms\n");
    const server = await startServe([
      "--sqlite",
      join(dir, "acp.db"),
      "--policy",
      policy,
      "--maintenance-interval",
      "100ms",
    ]);
    const token = server.adminToken!;
    const created = await call(server.url, "/v1/tokens", { token, body: { role: "agent", agent_id: "bot" } });
    const agent = ((await created.json()) as { token: string }).token;
    const session = (await (await call(server.url, "/v1/sessions", { token: agent, body: {} })).json()) as {
      id: string;
    };
    const decision = (await (
      await call(server.url, "/v1/proposals", {
        token: agent,
        body: { session_id: session.id, action: "deploy" },
      })
    ).json()) as { outcome: string; ticket_id: string; proposal_id: string };
    expect(decision.outcome).toBe("pending_approval");
    await server.waitForLine(new RegExp(`event approval_expired .*ticket_id=${decision.ticket_id}`));
    await server.waitForLine(/maintenance .*expired=1/);
    const proposal = await call(server.url, `/v1/proposals/${decision.proposal_id}`, { token });
    expect(await proposal.json()).toMatchObject({ status: "expired" });
    server.process.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });

  it("--log-format json writes one JSON object per line, the admin token as its own record", async () => {
    const server = spawnServe(["--port", "0", "--sqlite", join(dir, "acp.db"), "--log-format", "json"]);
    const ready = await server.waitForLine(/acp serve: ready/);
    expect(JSON.parse(ready)).toMatchObject({ type: "info" });
    const listening = JSON.parse(await server.waitForLine(/listening on/)) as { url: string };
    const admin = JSON.parse(await server.waitForLine(/"type":"admin_token"/)) as { token: string };
    const res = await call(listening.url, "/v1/sessions", { token: admin.token });
    expect(res.status).toBe(200);
    const line = JSON.parse(await server.waitForLine(/"type":"request"/));
    expect(line).toEqual({
      at: expect.any(String),
      type: "request",
      method: "GET",
      path: "/v1/sessions",
      status: 200,
      duration_ms: expect.any(Number),
      principal: expect.any(String),
      role: "admin",
      request_id: res.headers.get("x-request-id"),
    });
    server.process.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    for (const l of server.lines.filter((x) => x.length > 0)) expect(() => JSON.parse(l)).not.toThrow();
  });

  it("exits 2 naming the file and the path for a bad config file, and for a bad flag", async () => {
    const config = join(dir, "serve.yaml");
    writeFileSync(config, "limits:\n  rate_per_minit: 10\n");
    const bad = spawnServe(["--config", config]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain(`config file ${config}`);
    expect(bad.stderr()).toContain('limits.rate_per_minit: unknown key (did you mean "rate_per_minute"?)');
    const flag = spawnServe(["--port", "seventy"]);
    expect(await flag.exited).toBe(2);
    expect(flag.stderr()).toContain("--port: expected a port number");
    const help = spawnServe(["--help"]);
    expect(await help.exited).toBe(0);
    expect(help.lines.join("\n")).toMatch(/--sqlite <file>[\s\S]*--config <file>[\s\S]*--shutdown-grace/);
    const unknown = spawnServe(["--prot", "1"]);
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toContain("--prot");
  });

  it("exits 1 with the reason when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, "127.0.0.1", done));
    const port = (blocker.address() as { port: number }).port;
    try {
      const server = spawnServe(["--port", String(port), "--sqlite", join(dir, "acp.db")]);
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toContain("EADDRINUSE");
    } finally {
      blocker.close();
    }
  });
});
