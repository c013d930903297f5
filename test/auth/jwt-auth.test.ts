import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenAuth, type TokenAuthOptions } from "../../src/auth/token-auth.js";
import { createTokenService } from "../../src/auth/token-service.js";
import { ValidationError } from "../../src/errors/validation-error.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";

type Key = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

const ISSUER = "https://idp.example.test";
const AUDIENCE = "agent-control-plane";
const NOW = Date.UTC(2026, 0, 1);
const nowSec = Math.floor(NOW / 1000);

let server: Server;
let jwksUrl: string;
let jwksRequests = 0;
let signingKey: Key;
let strangerKey: Key;

beforeAll(async () => {
  const pair = await generateKeyPair("ES256");
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair("ES256")).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  server = createServer((req, res) => {
    jwksRequests++;
    if (req.url !== "/.well-known/jwks.json") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function sign(
  claims: JWTPayload,
  options: { key?: Key; kid?: string; iss?: string; aud?: string; exp?: number } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: options.kid ?? "k1" })
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt(nowSec - 60)
    .setExpirationTime(options.exp ?? nowSec + 3600)
    .sign(options.key ?? signingKey);
}

const makeAuth = (jwt: Partial<NonNullable<TokenAuthOptions["jwt"]>> = {}, now = () => NOW) =>
  createTokenAuth({
    storage: createMemoryStorage(),
    now,
    jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl, ...jwt },
  });

describe("JWT bearer tokens verified against a JWKS served on 127.0.0.1", () => {
  it("accepts a valid token: role from the claim, name from sub, fetched from the JWKS", async () => {
    const before = jwksRequests;
    const auth = makeAuth();
    const principal = await auth.authenticate(await sign({ sub: "alice@example.test", role: "approver" }));
    expect(principal).toEqual({
      id: `jwt:${ISSUER}#alice@example.test`,
      name: "alice@example.test",
      role: "approver",
      agentId: null,
      via: "jwt",
    });
    expect(jwksRequests).toBeGreaterThan(before);
  });

  it("refuses a wrong issuer, a wrong audience, an expired token and a not-yet-valid one", async () => {
    const auth = makeAuth();
    const claims = { sub: "alice", role: "admin" };
    expect(await auth.authenticate(await sign(claims, { iss: "https://evil.example.test" }))).toBeUndefined();
    expect(await auth.authenticate(await sign(claims, { aud: "another-service" }))).toBeUndefined();
    expect(await auth.authenticate(await sign(claims, { exp: nowSec - 1 }))).toBeUndefined();
    expect(await auth.authenticate(await sign({ ...claims, nbf: nowSec + 600 }))).toBeUndefined();
    expect(await auth.authenticate(await sign(claims))).toMatchObject({ role: "admin" });
  });

  it("judges expiry by the injected clock", async () => {
    let now = NOW;
    const auth = makeAuth({}, () => now);
    const token = await sign({ sub: "alice", role: "viewer" }, { exp: nowSec + 10 });
    expect(await auth.authenticate(token)).toBeDefined();
    now = NOW + 11_000;
    expect(await auth.authenticate(token)).toBeUndefined();
  });

  it("refuses a token signed by an unknown key, or by another key under a known kid, or unsigned", async () => {
    const auth = makeAuth();
    const claims = { sub: "mallory", role: "admin" };
    expect(await auth.authenticate(await sign(claims, { key: strangerKey, kid: "k9" }))).toBeUndefined();
    expect(await auth.authenticate(await sign(claims, { key: strangerKey, kid: "k1" }))).toBeUndefined();
    const good = await sign(claims);
    const [, payload] = good.split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${payload}.`;
    expect(await auth.authenticate(none)).toBeUndefined();
    const tampered = good.split(".");
    tampered[1] = Buffer.from(
      JSON.stringify({ sub: "mallory", role: "admin", iss: ISSUER, aud: AUDIENCE }),
    ).toString("base64url");
    expect(await auth.authenticate(tampered.join("."))).toBeUndefined();
  });

  it("maps claim values through roleMap; the most powerful mapped value wins; unmapped means no access", async () => {
    const auth = makeAuth({
      roleClaim: "groups",
      roleMap: { "acp-approvers": "approver", "acp-admins": "admin", "acp-viewers": "viewer" },
    });
    expect(
      await auth.authenticate(
        await sign({ sub: "a", groups: ["staff", "acp-viewers", "acp-admins", "acp-approvers"] }),
      ),
    ).toMatchObject({ role: "admin" });
    expect(await auth.authenticate(await sign({ sub: "b", groups: "acp-approvers" }))).toMatchObject({
      role: "approver",
    });
    expect(await auth.authenticate(await sign({ sub: "c", groups: ["staff"] }))).toBeUndefined();
    // With a roleMap, a raw role name is not a mapping.
    expect(await auth.authenticate(await sign({ sub: "d", groups: ["admin"] }))).toBeUndefined();
    expect(await auth.authenticate(await sign({ sub: "e", role: "admin" }))).toBeUndefined();
    // Inherited object keys are not mappings.
    expect(
      await auth.authenticate(await sign({ sub: "f", groups: ["constructor", "toString"] })),
    ).toBeUndefined();
  });

  it("without roleMap the claim must name a role", async () => {
    const auth = makeAuth();
    expect(await auth.authenticate(await sign({ sub: "a", role: "superuser" }))).toBeUndefined();
    expect(await auth.authenticate(await sign({ sub: "a" }))).toBeUndefined();
    expect(await auth.authenticate(await sign({ sub: "a", role: ["viewer", "operator"] }))).toMatchObject({
      role: "operator",
    });
  });

  it("binds an agent principal to the agent claim and refuses an agent token without one", async () => {
    const auth = makeAuth();
    expect(
      await auth.authenticate(await sign({ sub: "svc-billing", role: "agent", agent_id: "billing" })),
    ).toEqual({
      id: `jwt:${ISSUER}#svc-billing`,
      name: "svc-billing",
      role: "agent",
      agentId: "billing",
      via: "jwt",
    });
    expect(await auth.authenticate(await sign({ sub: "svc", role: "agent" }))).toBeUndefined();
    expect(await auth.authenticate(await sign({ sub: "svc", role: "agent", agent_id: 42 }))).toBeUndefined();
    // Only the agent role is bound: an operator's agent claim is ignored.
    expect(
      await auth.authenticate(await sign({ sub: "o", role: "operator", agent_id: "billing" })),
    ).toMatchObject({
      role: "operator",
      agentId: null,
    });
    const custom = makeAuth({ agentClaim: "acp_agent", nameClaim: "email" });
    expect(
      await custom.authenticate(
        await sign({ sub: "123", email: "bot@example.test", role: "agent", acp_agent: "ops" }),
      ),
    ).toMatchObject({ name: "bot@example.test", agentId: "ops", id: `jwt:${ISSUER}#123` });
    expect(await custom.authenticate(await sign({ sub: "123", role: "viewer" }))).toBeUndefined();
  });

  it("still accepts stored tokens next to JWTs", async () => {
    const storage = createMemoryStorage();
    const { token } = await createTokenService({ storage }).create({ role: "viewer", name: "v" });
    const auth = createTokenAuth({ storage, jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl } });
    expect(await auth.authenticate(token)).toMatchObject({ role: "viewer", via: "token" });
  });

  it("validates the jwt options eagerly, naming the bad option", () => {
    const bad = (jwt: object, path: string) => {
      try {
        createTokenAuth({ storage: createMemoryStorage(), jwt: jwt as never });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues.map((i) => i.path)).toContain(path);
      }
    };
    const ok = { issuer: ISSUER, audience: AUDIENCE, jwksUrl: "https://idp.example.test/jwks.json" };
    bad({ ...ok, jwksUrl: "not a url" }, "jwt.jwksUrl");
    bad({ ...ok, jwksUrl: "file:///etc/passwd" }, "jwt.jwksUrl");
    bad({ ...ok, issuer: "" }, "jwt.issuer");
    bad({ ...ok, audience: undefined }, "jwt.audience");
    bad({ ...ok, roleMap: { staff: "root" } }, "jwt.roleMap.staff");
    bad({ ...ok, roleClaim: "" }, "jwt.roleClaim");
  });
});
