import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFullHttp } from "../support/full-http.js";
import { type HttpHarness, TOKENS } from "../support/http-server.js";
import { createOwned, type Owned, ROUTE_REQUESTS } from "../support/route-requests.js";
import { CALLERS, type Caller, expectedStatus, ROUTE_TABLE, type RouteRule } from "../support/route-table.js";

const TOKEN_OF: Record<Caller, string | undefined> = {
  none: undefined,
  agentOwn: TOKENS.agentA,
  agentOther: TOKENS.agentA,
  viewer: TOKENS.viewer,
  approver: TOKENS.approver,
  operator: TOKENS.operator,
  admin: TOKENS.admin,
};

const label = (rule: RouteRule) => `${rule.method} ${rule.path}`;

async function withServer<T>(fn: (h: HttpHarness, own: Owned, other: Owned) => Promise<T>) {
  const h = await startFullHttp();
  try {
    await h.cp.registerAgent({ id: "agent-helper" });
    const own = await createOwned(h.cp, "agent-a");
    const other = await createOwned(h.cp, "agent-b");
    return await fn(h, own, other);
  } finally {
    await h.close();
  }
}

/** Calls `rule` as `caller` on fresh resources; returns the status and the body (unread for an event stream). */
async function callAs(rule: RouteRule, caller: Caller) {
  return withServer(async (h, own, other) => {
    const build = ROUTE_REQUESTS[label(rule)];
    if (!build) throw new Error(`no request builder for ${label(rule)}`);
    const req = await build(caller === "agentOther" ? other : own, h);
    const token = TOKEN_OF[caller];
    const res = await h.call(req.path, {
      method: rule.method,
      ...(token === undefined ? {} : { token }),
      ...(req.body === undefined ? {} : { body: req.body }),
      ...(req.headers ? { headers: req.headers } : {}),
    });
    const stream = (res.headers.get("content-type") ?? "").startsWith("text/event-stream");
    const body = stream ? undefined : await res.text();
    if (stream) await res.body?.cancel();
    return { status: res.status, body };
  });
}

describe("auth matrix: every route × every caller ⇒ the status its permissions give", () => {
  it("covers every route the app documents, and the app documents every /v1 route of the table", async () => {
    const h = await startFullHttp();
    try {
      const doc = (await (await h.call("/openapi.json")).json()) as { paths: Record<string, object> };
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      );
      const tabled = ROUTE_TABLE.map(label);
      expect(documented.filter((r) => !tabled.includes(r))).toEqual([]);
      const v1 = tabled.filter((r) => r.includes(" /v1/"));
      expect(v1.filter((r) => !documented.includes(r))).toEqual([]);
      expect(Object.keys(ROUTE_REQUESTS).sort()).toEqual([...tabled].sort());
    } finally {
      await h.close();
    }
  });

  for (const rule of ROUTE_TABLE) {
    describe(label(rule), () => {
      for (const caller of CALLERS) {
        const expected = expectedStatus(rule, caller);
        it(`${caller} ⇒ ${expected}`, async () => {
          const { status, body } = await callAs(rule, caller);
          expect({ status, body: status === expected ? "" : body }).toEqual({ status: expected, body: "" });
          if (status >= 400) {
            expect(JSON.parse(body!)).toMatchObject({
              error: expect.any(String),
              details: { code: expect.any(String) },
            });
          }
        });
      }
    });
  }
});

describe("what an agent token can never do", () => {
  let h: HttpHarness;
  let own: Owned;
  let other: Owned;
  beforeEach(async () => {
    h = await startFullHttp();
    own = await createOwned(h.cp, "agent-a");
    other = await createOwned(h.cp, "agent-b");
  });
  afterEach(async () => h.close());

  const expectForbidden = async (res: Response) => {
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ details: { code: "forbidden" } });
  };

  it("cannot approve or deny its own ticket, which stays pending", async () => {
    for (const verb of ["approve", "deny"]) {
      await expectForbidden(
        await h.call(`/v1/tickets/${own.ticketId}/${verb}`, {
          token: TOKENS.agentA,
          body: { reason: "mine" },
        }),
      );
    }
    expect((await h.cp.getTicket(own.ticketId)).status).toBe("pending");
  });

  it("cannot kill at any scope, nor release a kill", async () => {
    const body = { reason: "rogue" };
    await expectForbidden(await h.call("/v1/kill/system", { token: TOKENS.agentA, body }));
    await expectForbidden(await h.call(`/v1/kill/agent/${own.agentId}`, { token: TOKENS.agentA, body }));
    await expectForbidden(await h.call(`/v1/kill/session/${own.sessionId}`, { token: TOKENS.agentA, body }));
    await expectForbidden(await h.call("/v1/resume/system", { token: TOKENS.agentA, body: {} }));
    expect(await h.cp.listKillSwitches({ engagedOnly: true })).toEqual([]);
  });

  it("cannot propose for another agent, by agent_id or through another agent's session", async () => {
    const before = (await h.cp.listProposals({})).length;
    await expectForbidden(
      await h.call("/v1/proposals", {
        token: TOKENS.agentA,
        body: { session_id: own.sessionId, agent_id: other.agentId, action: "read_file" },
      }),
    );
    await expectForbidden(
      await h.call("/v1/proposals", {
        token: TOKENS.agentA,
        body: { session_id: other.sessionId, action: "read_file" },
      }),
    );
    expect((await h.cp.listProposals({})).length).toBe(before);
  });
});
