import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { describe, expect, it } from "vitest";
import { createStaticAuth } from "../../src/auth/static-auth.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createHttpApp } from "../../src/http/create-http-app.js";
import { TEST_TOKENS, TOKENS } from "../support/http-server.js";

/** A control plane whose session list throws `thrown` (whatever it is) and nothing else is called. */
function throwingControlPlane(thrown: unknown): ControlPlane {
  return {
    listSessions: async () => {
      throw thrown;
    },
  } as unknown as ControlPlane;
}

async function getSessions(cp: ControlPlane, authThrows?: unknown) {
  const faults: unknown[] = [];
  const auth =
    authThrows === undefined
      ? createStaticAuth(TEST_TOKENS)
      : {
          authenticate: async () => {
            throw authThrows;
          },
        };
  const app = createHttpApp({ controlPlane: cp, auth, onFault: (e) => faults.push(e) });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  try {
    const port = (server.address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/v1/sessions`, {
      headers: { authorization: `Bearer ${TOKENS.viewer}` },
    });
    return { status: res.status, body: await res.text(), faults };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe("faults answer in the envelope whatever was thrown", () => {
  for (const [name, thrown] of [
    ["a plain object", { message: "Conflicting names for parameter", data: { key: "name" } }],
    ["a string", "boom"],
    ["undefined", undefined],
  ] as const) {
    it(`a handler throwing ${name} answers 500 in the envelope, hides the message, reports the fault`, async () => {
      const { status, body, faults } = await getSessions(throwingControlPlane(thrown));
      expect(status).toBe(500);
      expect(JSON.parse(body)).toEqual({
        error: "internal error (logged on the server)",
        details: { code: "internal" },
      });
      expect(faults).toEqual([thrown]);
    });
  }

  it("an authenticator throwing a non-Error answers 500 in the envelope too", async () => {
    const { status, body, faults } = await getSessions(throwingControlPlane(new Error("unused")), "nope");
    expect(status).toBe(500);
    expect(JSON.parse(body)).toMatchObject({ details: { code: "internal" } });
    expect(faults).toEqual(["nope"]);
  });
});
