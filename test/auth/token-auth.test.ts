import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Authenticator } from "../../src/auth/authenticator.js";
import { createTokenAuth } from "../../src/auth/token-auth.js";
import { createTokenService, type TokenService } from "../../src/auth/token-service.js";
import type { Storage } from "../../src/storage/storage.js";
import { testClock } from "../support/control-plane-fixture.js";
import { withAllStorageCases } from "../support/postgres-case.js";

describe.each(await withAllStorageCases())("stored-token authenticator on $name", (storageCase) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  let clock: ReturnType<typeof testClock>;
  let tokens: TokenService;
  let auth: Authenticator;
  beforeEach(async () => {
    ({ storage, cleanup } = await storageCase.create());
    clock = testClock();
    tokens = createTokenService({ storage, now: clock.now });
    auth = createTokenAuth({ storage, now: clock.now });
  });
  afterEach(() => cleanup());

  it("resolves a stored token to its principal (agent tokens bound to their agent)", async () => {
    const op = await tokens.create({ role: "operator", name: "olivia" });
    const agent = await tokens.create({ role: "agent", agentId: "agent-a" });
    expect(await auth.authenticate(op.token)).toEqual({
      id: op.record.id,
      name: "olivia",
      role: "operator",
      agentId: null,
      via: "token",
    });
    expect(await auth.authenticate(agent.token)).toMatchObject({ role: "agent", agentId: "agent-a" });
  });

  it("refuses unknown, altered, revoked and expired tokens", async () => {
    const a = await tokens.create({ role: "viewer", expiresInMs: 60_000 });
    const b = await tokens.create({ role: "viewer" });
    const last = a.token.at(-1) === "A" ? "B" : "A";
    expect(await auth.authenticate(`${a.token.slice(0, -1)}${last}`)).toBeUndefined();
    expect(await auth.authenticate(`${a.token}x`)).toBeUndefined();
    expect(await auth.authenticate("")).toBeUndefined();
    expect(await auth.authenticate("acp_short")).toBeUndefined();
    expect(await auth.authenticate(a.token)).toBeDefined();
    clock.advance(59_999);
    expect(await auth.authenticate(a.token)).toBeDefined();
    clock.advance(1);
    expect(await auth.authenticate(a.token)).toBeUndefined();
    expect(await auth.authenticate(b.token)).toBeDefined();
    await tokens.revoke(b.record.id);
    expect(await auth.authenticate(b.token)).toBeUndefined();
  });

  it("a revocation through another service instance on the same storage takes effect at once", async () => {
    const t = await tokens.create({ role: "approver" });
    expect(await auth.authenticate(t.token)).toBeDefined();
    await createTokenService({ storage, now: clock.now }).revoke(t.record.id);
    expect(await auth.authenticate(t.token)).toBeUndefined();
  });

  it("without jwt options a JWT-shaped credential is only looked up as a token (and refused)", async () => {
    expect(await auth.authenticate("eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYWRtaW4ifQ.c2ln")).toBeUndefined();
  });
});

describe("storage faults", () => {
  it("reject instead of authenticating", async () => {
    const { createMemoryStorage } = await import("../../src/storage/memory/memory-storage.js");
    const storage = createMemoryStorage();
    const t = await createTokenService({ storage }).create({ role: "admin" });
    await storage.close();
    await expect(createTokenAuth({ storage }).authenticate(t.token)).rejects.toMatchObject({
      code: "closed",
    });
  });
});
