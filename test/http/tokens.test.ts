import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import { testClock } from "../support/control-plane-fixture.js";
import { startHttp, TOKENS, useHttp } from "../support/http-server.js";

interface ApiToken {
  id: string;
  name: string;
  role: string;
  agent_id: string | null;
  status: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  created_by: string | null;
  token?: string;
}

const HOUR = 3_600_000;

describe("token routes with stored tokens", () => {
  const clock = testClock();
  const h = useHttp({ auth: "stored", now: clock.now });
  const admin = () => h().adminToken!;
  const create = async (body: unknown, token = admin()) => {
    const res = await h().call("/v1/tokens", { token, body });
    return { status: res.status, body: (await res.json()) as ApiToken & { details?: unknown } };
  };

  it("creates a token shown once (201), recording the creator; the token then authenticates", async () => {
    const me = (await h().tokens!.list())[0]!;
    const { status, body } = await create({ role: "viewer", name: "ci-dashboard", expires_in: "30d" });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      name: "ci-dashboard",
      role: "viewer",
      agent_id: null,
      status: "active",
      created_at: new Date(clock.now()).toISOString(),
      expires_at: new Date(clock.now() + 30 * 24 * HOUR).toISOString(),
      revoked_at: null,
      created_by: me.name,
    });
    expect(body.token).toMatch(/^acp_[A-Za-z0-9_-]{43}$/);
    expect((await h().call("/v1/sessions", { token: body.token! })).status).toBe(200);
    const list = await h().call("/v1/tokens", { token: admin() });
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toContain(body.token!);
    expect((JSON.parse(text) as ApiToken[]).map((t) => t.id)).toEqual([me.id, body.id]);
    expect(JSON.parse(text)[1]).not.toHaveProperty("token");
  });

  it("needs tokens.manage: a viewer, an operator and an agent get 403; no token gets 401", async () => {
    const viewer = (await create({ role: "viewer" })).body.token!;
    const operator = (await create({ role: "operator" })).body.token!;
    const agent = (await create({ role: "agent", agent_id: "agent-a" })).body.token!;
    for (const token of [viewer, operator, agent]) {
      const list = await h().call("/v1/tokens", { token });
      expect(list.status).toBe(403);
      expect(await list.json()).toMatchObject({ details: { code: "forbidden" } });
      expect((await create({ role: "admin" }, token)).status).toBe(403);
    }
    expect((await h().call("/v1/tokens")).status).toBe(401);
    expect((await h().call("/v1/tokens", { body: { role: "admin" } })).status).toBe(401);
    expect(await h().tokens!.list()).toHaveLength(4);
  });

  it("binds agent tokens: agent_id is required for and only for role agent (422 naming body.agent_id)", async () => {
    const missing = await create({ role: "agent" });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({
      details: { code: "validation_failed", issues: [{ path: "body.agent_id" }] },
    });
    const extra = await create({ role: "approver", agent_id: "agent-a" });
    expect(extra.status).toBe(422);
    expect(extra.body).toMatchObject({ details: { issues: [{ path: "body.agent_id" }] } });
    const ok = await create({ role: "agent", agent_id: "agent-a" });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      role: "agent",
      agent_id: "agent-a",
      name: `agent-${ok.body.id.slice(-8)}`,
    });
    const mine = await h().cp.openSession({ agentId: "agent-a" });
    const theirs = await h().cp.openSession({ agentId: "agent-b" });
    expect((await h().call(`/v1/sessions/${mine.id}`, { token: ok.body.token! })).status).toBe(200);
    expect((await h().call(`/v1/sessions/${theirs.id}`, { token: ok.body.token! })).status).toBe(403);
  });

  it("answers 422 naming the bad field for bad bodies, and stores nothing", async () => {
    const cases: [unknown, string][] = [
      [{ role: "root" }, "body.role"],
      [{}, "body.role"],
      [{ role: "viewer", expires_in: "soon" }, "body.expires_in"],
      [{ role: "viewer", expires_in: "0d" }, "body.expires_in"],
      [{ role: "viewer", expires_in: "36600d" }, "body.expires_in"],
      [{ role: "viewer", expires_in: 3600 }, "body.expires_in"],
      [{ role: "viewer", name: "x".repeat(129) }, "body.name"],
      [{ role: "viewer", name: "" }, "body.name"],
      [{ role: "viewer", scopes: ["all"] }, "scopes"],
    ];
    for (const [body, path] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(JSON.stringify(res.body), JSON.stringify(body)).toContain(path);
    }
    const notJson = await h().call("/v1/tokens", { token: admin(), body: "{not json" });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: expect.any(String) });
    expect(await h().tokens!.list()).toHaveLength(1);
  });

  it("a revoked token gets 401 on the next request; revoking twice keeps the first time; unknown is 404", async () => {
    const { body } = await create({ role: "operator" });
    expect((await h().call("/v1/sessions", { token: body.token! })).status).toBe(200);
    clock.advance(5000);
    const res = await h().call(`/v1/tokens/${body.id}/revoke`, { token: admin(), method: "POST" });
    expect(res.status).toBe(200);
    const revoked = (await res.json()) as ApiToken;
    expect(revoked).toMatchObject({
      id: body.id,
      status: "revoked",
      revoked_at: new Date(clock.now()).toISOString(),
    });
    const audit = await h().storage.read((tx) => tx.events.feed({ limit: 100 }));
    const me = (await h().tokens!.list())[0]!;
    expect(audit.at(-1)).toMatchObject({ kind: "token_revoked", payload: { tokenId: body.id, by: me.name } });
    const refused = await h().call("/v1/sessions", { token: body.token! });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await refused.json()).toMatchObject({ details: { code: "unauthorized" } });
    clock.advance(5000);
    const again = await h().call(`/v1/tokens/${body.id}/revoke`, { token: admin(), method: "POST" });
    expect(((await again.json()) as ApiToken).revoked_at).toBe(revoked.revoked_at);
    const unknown = await h().call("/v1/tokens/0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d/revoke", {
      token: admin(),
      method: "POST",
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ details: { code: "not_found" } });
    const bad = await h().call("/v1/tokens/nope/revoke", { token: admin(), method: "POST" });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ details: { issues: [{ path: "param.token_id" }] } });
  });

  it("an admin can revoke its own token: the very next request with it gets 401", async () => {
    const me = (await h().tokens!.list())[0]!;
    const res = await h().call(`/v1/tokens/${me.id}/revoke`, { token: admin(), method: "POST" });
    expect(res.status).toBe(200);
    expect((await h().call("/v1/tokens", { token: admin() })).status).toBe(401);
  });

  it("an expired token gets 401 from the moment it expires, and is listed as expired", async () => {
    const { body } = await create({ role: "viewer", expires_in: "1h" });
    clock.advance(HOUR - 1);
    expect((await h().call("/v1/sessions", { token: body.token! })).status).toBe(200);
    clock.advance(1);
    expect((await h().call("/v1/sessions", { token: body.token! })).status).toBe(401);
    const list = (await (await h().call("/v1/tokens", { token: admin() })).json()) as ApiToken[];
    expect(list.find((t) => t.id === body.id)?.status).toBe("expired");
  });

  it("documents the routes in /openapi.json", async () => {
    const doc = (await (await h().call("/openapi.json")).json()) as { paths: Record<string, object> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/tokens", "/v1/tokens/{token_id}/revoke"]),
    );
    expect(doc.paths["/v1/tokens"]).toHaveProperty("post.responses.201");
  });
});

describe("token routes without a token service", () => {
  const h = useHttp();

  it("answer 501 in the envelope after authentication and authorization", async () => {
    const res = await h().call("/v1/tokens", { token: TOKENS.admin });
    expect(res.status).toBe(501);
    expect(await res.json()).toMatchObject({
      error: expect.any(String),
      details: { code: "not_implemented" },
    });
    expect((await h().call("/v1/tokens", { token: TOKENS.admin, body: { role: "viewer" } })).status).toBe(
      501,
    );
    expect((await h().call("/v1/tokens", { token: TOKENS.viewer })).status).toBe(403);
    expect((await h().call("/v1/tokens")).status).toBe(401);
  });
});

describe("tokens in a SQLite file", () => {
  const dir = mkdtempSync(join(tmpdir(), "acp-tokens-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("never store the plaintext token: the database files hold only its hash", async () => {
    const path = join(dir, "acp.db");
    const h = await startHttp({ storage: createSqliteStorage({ path }), auth: "stored" });
    const created: { id: string; token: string }[] = [];
    for (const body of [
      { role: "viewer", name: "viewer-token-name" },
      { role: "agent", agent_id: "agent-a" },
    ]) {
      const res = await h.call("/v1/tokens", { token: h.adminToken!, body });
      expect(res.status).toBe(201);
      created.push((await res.json()) as { id: string; token: string });
    }
    await h.call(`/v1/tokens/${created[0]!.id}/revoke`, { token: h.adminToken!, method: "POST" });
    expect((await h.call("/v1/sessions", { token: created[0]!.token })).status).toBe(401);
    expect((await h.call("/v1/sessions", { token: created[1]!.token })).status).toBe(200);
    const { hashApiToken } = await import("../../src/auth/token-hash.js");
    const bytes = () =>
      Buffer.concat(
        readdirSync(dir)
          .filter((f) => f.startsWith("acp.db"))
          .map((f) => readFileSync(join(dir, f))),
      );
    const check = () => {
      const all = bytes();
      for (const token of [h.adminToken!, ...created.map((c) => c.token)]) {
        expect(all.includes(token)).toBe(false);
        expect(all.includes(token.slice(4))).toBe(false); // not even without its prefix
        expect(all.includes(Buffer.from(token.slice(4), "base64url"))).toBe(false); // nor its raw bytes
        expect(all.includes(hashApiToken(token))).toBe(true); // what is stored instead
      }
      expect(all.includes("viewer-token-name")).toBe(true); // the check does see the token rows
    };
    check(); // while running (WAL file included)
    await h.close();
    check(); // after the final checkpoint
  });
});
