import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTokenAuth } from "../../src/auth/token-auth.js";
import { hashApiToken } from "../../src/auth/token-hash.js";
import { createTokenService, type TokenService, tokenStatus } from "../../src/auth/token-service.js";
import { ValidationError } from "../../src/errors/validation-error.js";
import type { Storage } from "../../src/storage/storage.js";
import { testClock } from "../support/control-plane-fixture.js";
import { withAllStorageCases } from "../support/postgres-case.js";

const DAY = 86_400_000;

describe.each(await withAllStorageCases())("token service on $name", (storageCase) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let clock: ReturnType<typeof testClock>;
  let tokens: TokenService;
  beforeEach(async () => {
    ({ storage, cleanup } = await storageCase.create());
    clock = testClock();
    tokens = createTokenService({ storage, now: clock.now });
  });
  afterEach(() => cleanup());

  it("creates acp_ tokens of 32 random bytes, stores only their hash and shows the token once", async () => {
    const { token, record } = await tokens.create({ role: "approver", createdBy: "root" });
    expect(token).toMatch(/^acp_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), "base64url")).toHaveLength(32);
    expect(record).toMatchObject({
      role: "approver",
      agentId: null,
      createdAt: clock.now(),
      expiresAt: null,
      revokedAt: null,
      createdBy: "root",
      name: `approver-${record.id.slice(-8)}`,
    });
    expect(record).not.toHaveProperty("hash");
    expect(JSON.stringify(await tokens.list())).not.toContain(token);
    const stored = await storage.read((tx) => tx.apiTokens.get(record.id));
    expect(stored?.hash).toBe(hashApiToken(token));
    expect(JSON.stringify(stored)).not.toContain(token.slice(4));
    const other = await tokens.create({ role: "approver" });
    expect(other.token).not.toBe(token);
  });

  it("binds agent tokens to their agent and sets the expiry from expiresInMs", async () => {
    const { record } = await tokens.create({
      role: "agent",
      agentId: "billing",
      name: "bot",
      expiresInMs: 30 * DAY,
    });
    expect(record).toMatchObject({
      role: "agent",
      agentId: "billing",
      name: "bot",
      expiresAt: clock.now() + 30 * DAY,
    });
    expect(tokenStatus(record, clock.now())).toBe("active");
    expect(tokenStatus(record, clock.now() + 30 * DAY)).toBe("expired");
    expect((await tokens.create({ role: "agent", agentId: " ops " })).record.agentId).toBe("ops");
  });

  it("refuses bad input naming each field and stores nothing", async () => {
    const bad = async (input: Parameters<TokenService["create"]>[0], path: string) => {
      const error = await tokens.create(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).toContain(path);
    };
    await bad({ role: "root" as never }, "role");
    await bad({ role: "agent" }, "agentId");
    await bad({ role: "agent", agentId: "  " }, "agentId");
    await bad({ role: "viewer", agentId: "a" }, "agentId");
    await bad({ role: "viewer", name: "x".repeat(129) }, "name");
    await bad({ role: "viewer", name: "" }, "name");
    await bad({ role: "viewer", expiresInMs: 0 }, "expiresInMs");
    await bad({ role: "viewer", expiresInMs: -5 }, "expiresInMs");
    await bad({ role: "viewer", expiresInMs: 1.5 }, "expiresInMs");
    await bad({ role: "viewer", expiresInMs: 101 * 365 * DAY }, "expiresInMs");
    expect(await tokens.list()).toEqual([]);
    const ok = await tokens.create({ role: "viewer", name: "x".repeat(128) });
    expect(ok.record.name).toHaveLength(128);
  });

  it("lists oldest first and revokes once; an unknown id is not found", async () => {
    const a = await tokens.create({ role: "viewer" });
    clock.advance(10);
    const b = await tokens.create({ role: "operator" });
    expect((await tokens.list()).map((r) => r.id)).toEqual([a.record.id, b.record.id]);
    clock.advance(10);
    const revoked = await tokens.revoke(a.record.id);
    expect(revoked.revokedAt).toBe(clock.now());
    clock.advance(10);
    expect((await tokens.revoke(a.record.id)).revokedAt).toBe(revoked.revokedAt);
    expect(tokenStatus(revoked, clock.now())).toBe("revoked");
    await expect(tokens.revoke("0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d")).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("ensureAdmin creates one admin token only while no token is active", async () => {
    const first = await tokens.ensureAdmin();
    expect(first?.record).toMatchObject({ role: "admin", createdBy: null, revokedAt: null, expiresAt: null });
    expect(await tokens.ensureAdmin()).toBeUndefined();
    await tokens.revoke(first!.record.id);
    const short = await tokens.create({ role: "viewer", expiresInMs: 1000 });
    expect(await tokens.ensureAdmin()).toBeUndefined();
    clock.advance(1000);
    const second = await tokens.ensureAdmin();
    expect(second?.token).not.toBe(first?.token);
    const auth = createTokenAuth({ storage, now: clock.now });
    expect(await auth.authenticate(second!.token)).toMatchObject({ role: "admin", id: second!.record.id });
    expect(await auth.authenticate(short.token)).toBeUndefined();
  });

  it("audits each creation and revocation in the system stream, never the token itself", async () => {
    const admin = await tokens.ensureAdmin();
    const { token, record } = await tokens.create({
      role: "agent",
      agentId: "billing",
      createdBy: "root",
      expiresInMs: 1000,
    });
    clock.advance(5);
    await tokens.revoke(record.id, { by: "olivia" });
    await tokens.revoke(record.id, { by: "olivia" }); // already revoked: no second event
    const events = await storage.read((tx) => tx.events.feed({ limit: 100 }));
    expect(events.map((e) => [e.kind, e.sessionId, e.agentId, e.payload, e.at])).toEqual([
      [
        "token_created",
        null,
        null,
        { tokenId: admin!.record.id, name: admin!.record.name, role: "admin", expiresAt: null, by: null },
        clock.now() - 5,
      ],
      [
        "token_created",
        null,
        "billing",
        { tokenId: record.id, name: record.name, role: "agent", expiresAt: record.expiresAt, by: "root" },
        clock.now() - 5,
      ],
      [
        "token_revoked",
        null,
        "billing",
        { tokenId: record.id, name: record.name, role: "agent", expiresAt: record.expiresAt, by: "olivia" },
        clock.now(),
      ],
    ]);
    const text = JSON.stringify(events);
    for (const t of [token, admin!.token]) {
      expect(text).not.toContain(t.slice(4));
      expect(text).not.toContain(hashApiToken(t));
    }
  });

  it("concurrent ensureAdmin calls create exactly one token", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => tokens.ensureAdmin()));
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    expect(await tokens.list()).toHaveLength(1);
  });
});
