import { describe, expect, it } from "vitest";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { TOKENS, useHttp } from "../support/http-server.js";

/** TEST_POLICY plus a model governor: auto-approved actions may use standard models only. */
const POLICY = {
  ...TEST_POLICY,
  models: {
    tiers: { "gpt-4o": "premium", "gpt-4o-mini": "standard" },
    allow: { auto_approve: ["standard"] },
  },
};

const MODEL = { model: "gpt-4o-mini", identity: { org_id: "acme" }, input_tokens: 600, output_tokens: 200 };

type Json = Record<string, unknown>;
const issuePaths = async (res: Response) =>
  ((await res.json()) as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path);

describe("model calls, token reservations and their settlement over HTTP", () => {
  const h = useHttp({ policy: POLICY });
  const propose = (token: string, body: Json) => h().call("/v1/proposals", { token, body });
  const settle = (token: string, id: string, body: Json) =>
    h().call(`/v1/token-reservations/${id}/settle`, { token, body });

  it("maps a snake_case model call onto the proposal, reserves its tokens and answers token_reservation_id", async () => {
    await h().cp.createTokenBudget({ identity: { orgId: "acme" }, period: "daily", maxTokens: 1000 });
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const res = await propose(TOKENS.agentA, { session_id: s.id, action: "read_file", model: MODEL });
    expect(res.status).toBe(200);
    const d = (await res.json()) as Json;
    expect(d).toMatchObject({ outcome: "allowed", token_reservation_id: expect.any(String) });
    const reservation = await h().cp.getTokenReservation(d.token_reservation_id as string);
    expect(reservation).toMatchObject({
      sessionId: s.id,
      model: "gpt-4o-mini",
      identity: { userId: null, orgId: "acme", teamId: null },
      tokens: 800,
      status: "held",
    });
    const [state] = await h().cp.tokenBudgetStates({ orgId: "acme" });
    expect(state).toMatchObject({ reservedTokens: 800, remainingTokens: 200 });

    // A second call of 800 would overspend the budget: denied, nothing reserved.
    const over = await propose(TOKENS.agentA, { session_id: s.id, action: "read_file", model: MODEL });
    expect(await over.json()).toMatchObject({
      outcome: "denied",
      code: "token_budget_exceeded",
      token_reservation_id: null,
    });
  });

  it("answers token_reservation_id null for a proposal without a model call", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const d = (await (
      await propose(TOKENS.agentA, { session_id: s.id, action: "read_file" })
    ).json()) as Json;
    expect(d).toMatchObject({ outcome: "allowed", token_reservation_id: null });
  });

  it("denies a model the policy's model governor refuses (model_not_allowed)", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const res = await propose(TOKENS.agentA, {
      session_id: s.id,
      action: "read_file",
      model: { ...MODEL, model: "gpt-4o" },
    });
    expect(await res.json()).toMatchObject({
      outcome: "denied",
      code: "model_not_allowed",
      token_reservation_id: null,
    });
  });

  it("answers 422 naming each bad model field in snake_case", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const bad = await propose(TOKENS.agentA, {
      session_id: s.id,
      action: "read_file",
      model: { ...MODEL, input_tokens: -1, identity: { user_id: "" } },
    });
    expect(bad.status).toBe(422);
    expect((await issuePaths(bad)).sort()).toEqual([
      "body.model.identity.user_id",
      "body.model.input_tokens",
    ]);
    const camel = await propose(TOKENS.agentA, {
      session_id: s.id,
      action: "read_file",
      model: { model: "gpt-4o-mini", inputTokens: 1, output_tokens: 1 },
    });
    expect(camel.status).toBe(422);
    expect(await issuePaths(camel)).toContain("body.model.input_tokens");
    // A blank model id passes the schema but not the facade: its issue is placed in the body too.
    const blank = await propose(TOKENS.agentA, {
      session_id: s.id,
      action: "read_file",
      model: { ...MODEL, model: "   " },
    });
    expect(blank.status).toBe(422);
    expect(await issuePaths(blank)).toEqual(["body.model.model"]);
    expect(await h().cp.listProposals({ sessionId: s.id })).toEqual([]);
  });

  it("settles a reservation once for its own agent: ledger written, 409 on a repeat", async () => {
    await h().cp.createTokenBudget({ identity: { orgId: "acme" }, period: "daily", maxTokens: 1000 });
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const d = (await (
      await propose(TOKENS.agentA, { session_id: s.id, action: "read_file", model: MODEL })
    ).json()) as Json;
    const id = d.token_reservation_id as string;
    const done = await settle(TOKENS.agentA, id, { input_tokens: 700, output_tokens: 400, cost: "0.03" });
    expect(done.status).toBe(200);
    const body = (await done.json()) as Json;
    expect(body).toMatchObject({ reservation_id: id, total_tokens: 1100, cost: "0.03" });
    // Over the limit: recorded anyway, and the budget is reported exhausted.
    const [config] = await h().cp.listTokenBudgets();
    expect(body.exhausted).toEqual([config!.id]);
    const [state] = await h().cp.tokenBudgetStates({ orgId: "acme" });
    expect(state).toMatchObject({ usedTokens: 1100, reservedTokens: 0, remainingTokens: 0 });
    expect((await h().cp.getTokenReservation(id)).status).toBe("settled");

    const again = await settle(TOKENS.agentA, id, { input_tokens: 1, output_tokens: 1 });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ details: { code: "conflict" } });
  });

  it("lets an operator or admin settle any reservation and refuses other agents and read-only roles", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const reserve = async () =>
      (
        (await (
          await propose(TOKENS.agentA, { session_id: s.id, action: "read_file", model: MODEL })
        ).json()) as Json
      ).token_reservation_id as string;
    const id = await reserve();
    const usage = { input_tokens: 10, output_tokens: 5 };
    for (const token of [TOKENS.agentB, TOKENS.viewer, TOKENS.approver]) {
      const res = await settle(token, id, usage);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ details: { code: "forbidden" } });
    }
    expect((await h().cp.getTokenReservation(id)).status).toBe("held");
    expect((await settle(TOKENS.operator, id, usage)).status).toBe(200);
    expect((await settle(TOKENS.admin, await reserve(), usage)).status).toBe(200);
    expect((await h().call(`/v1/token-reservations/${id}/settle`, { body: usage })).status).toBe(401);
  });

  it("answers 404 for an unknown reservation and 422 naming a bad usage field", async () => {
    const unknown = "0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d";
    for (const token of [TOKENS.agentA, TOKENS.operator]) {
      const res = await settle(token, unknown, { input_tokens: 1, output_tokens: 1 });
      expect(res.status).toBe(404);
    }
    const bad = await settle(TOKENS.operator, unknown, { input_tokens: 1.5, output_tokens: 1, extra: 1 });
    expect(bad.status).toBe(422);
    const paths = await issuePaths(bad);
    expect(paths).toContain("body.input_tokens");
    expect(paths).not.toContain("body.output_tokens");
    const badCost = await settle(TOKENS.operator, unknown, { input_tokens: 1, output_tokens: 1, cost: "-1" });
    expect(await issuePaths(badCost)).toEqual(["body.cost"]);
  });
});

describe("POST /v1/policies/test with a model call", () => {
  const h = useHttp({ policy: POLICY });
  const dryRun = (proposal: Json, policy?: unknown) =>
    h().call("/v1/policies/test", {
      token: TOKENS.viewer,
      body: { proposal, ...(policy === undefined ? {} : { policy }) },
    });

  it("runs the model governor in the dry run, stores nothing and reserves nothing", async () => {
    const refused = await dryRun({ action: "read_file", model: { ...MODEL, model: "gpt-4o" } });
    expect(refused.status).toBe(200);
    const d = (await refused.json()) as { code: string; trace: { step: string; result: string }[] };
    expect(d).toMatchObject({ outcome: "denied", code: "model_not_allowed", stored: false });
    expect(d.trace).toContainEqual(expect.objectContaining({ step: "model", result: "model_not_allowed" }));
    expect(await dryRun({ action: "read_file", model: MODEL }).then((r) => r.json())).toMatchObject({
      outcome: "allowed",
    });
    // The same call against a policy without a governor is allowed.
    const free = await dryRun({ action: "read_file", model: { ...MODEL, model: "gpt-4o" } }, TEST_POLICY);
    expect(await free.json()).toMatchObject({ outcome: "allowed" });
    expect(await h().cp.tokenBudgetStates({ orgId: "acme" })).toEqual([]);
  });

  it("answers 422 naming a bad model field under body.proposal", async () => {
    const bad = await dryRun({ action: "read_file", model: { ...MODEL, output_tokens: "many" } });
    expect(bad.status).toBe(422);
    expect(await issuePaths(bad)).toEqual(["body.proposal.model.output_tokens"]);
    const blank = await dryRun({ action: "read_file", model: { ...MODEL, model: " " } });
    expect(blank.status).toBe(422);
    expect(await issuePaths(blank)).toEqual(["body.proposal.model.model"]);
  });
});

describe("a session's accumulated risk in GET /v1/sessions/{session_id} and getSession", () => {
  const h = useHttp({
    policy: {
      ...TEST_POLICY,
      actions: {
        ...TEST_POLICY.actions,
        autoApprove: ["read_file", "write_file", "read_database", "send_email"],
      },
      sessionRisk: {
        thresholds: { medium: 3, high: 50 },
        patterns: [
          { name: "exfiltration", sequence: ["read_database", "send_email"], window: 5, escalateTo: "high" },
        ],
      },
    },
  });

  it("starts at score 0 and accumulates with each proposal, patterns included", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const read = async () => {
      const res = await h().call(`/v1/sessions/${s.id}`, { token: TOKENS.agentA });
      expect(res.status).toBe(200);
      return ((await res.json()) as { risk: Json }).risk;
    };
    expect(await read()).toEqual({ score: 0, level: "low", action_count: 0, detected_patterns: [] });
    for (const action of ["read_file", "read_database", "send_email"]) {
      await h().call("/v1/proposals", { token: TOKENS.agentA, body: { session_id: s.id, action } });
    }
    const risk = await read();
    expect(risk).toMatchObject({ action_count: 3, level: "high", detected_patterns: ["exfiltration"] });
    expect(risk.score as number).toBeGreaterThanOrEqual(3);
    expect((await h().cp.getSession(s.id)).risk).toEqual({
      score: risk.score,
      level: "high",
      actionCount: 3,
      detectedPatterns: ["exfiltration"],
    });
    // Lists do not carry it (one read per session would be needed).
    const list = (await (await h().call("/v1/sessions", { token: TOKENS.viewer })).json()) as Json[];
    expect(list[0]).not.toHaveProperty("risk");
  });
});
