import { describe, expect, it } from "vitest";
import { createStaticAuth } from "../../src/auth/static-auth.js";
import { createTokenAuth } from "../../src/auth/token-auth.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createHttpApp } from "../../src/http/create-http-app.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { TEST_TOKENS } from "../support/http-server.js";

describe("a misspelt option is an error, never a dropped limit or a default claim", () => {
  it("createHttpApp names an unknown option, limit or SSE setting", async () => {
    const controlPlane = await createControlPlane({ storage: createMemoryStorage(), policy: { version: 1 } });
    const auth = createStaticAuth(TEST_TOKENS);
    const make = (extra: object) => () => createHttpApp({ controlPlane, auth, ...extra } as never);
    expect(make({ limit: { ratePerMinute: 10 } })).toThrow(/limit: unknown key.*did you mean "limits"/s);
    expect(make({ limits: { ratePerMin: 10 } })).toThrow(/limits\.ratePerMin: unknown key/);
    expect(make({ sse: { pollMs: 10 } })).toThrow(/sse\.pollMs: unknown key/);
    expect(make({ limits: { ratePerMinute: 10 } })).not.toThrow();
  });

  it("createTokenAuth names an unknown option and an unknown JWT setting", () => {
    const storage = createMemoryStorage();
    const jwt = { issuer: "https://idp.test", audience: "acp", jwksUrl: "http://127.0.0.1:1/jwks" };
    expect(() => createTokenAuth({ storage, jwks: jwt } as never)).toThrow(/jwks: unknown key/);
    expect(() => createTokenAuth({ storage, jwt: { ...jwt, roleClaims: "groups" } as never })).toThrow(
      /jwt\.roleClaims: unknown key/,
    );
    expect(() => createTokenAuth({ storage, jwt: { ...jwt, roleClaim: "groups" } })).not.toThrow();
  });
});
