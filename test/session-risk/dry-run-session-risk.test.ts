import { describe, expect, it } from "vitest";
import { dryRunDecide } from "../../src/control-plane/dry-run-decide.js";
import { loadPolicy } from "../../src/engines/policy/load-policy.js";
import { ValidationError } from "../../src/errors/validation-error.js";
import { TOKENS, useHttp } from "../support/http-server.js";
import { RISK_POLICY } from "./risk-policy.js";

const policy = loadPolicy(RISK_POLICY);

describe("dryRunDecide with session risk and the model governor", () => {
  it("assesses the imagined session's recent actions and score, before the tier", async () => {
    expect(await dryRunDecide(policy, { action: "send_email" })).toMatchObject({ outcome: "allowed" });
    const d = await dryRunDecide(
      policy,
      { action: "send_email" },
      { session: { recentActions: ["Read_Database"] } },
    );
    expect(d).toMatchObject({ outcome: "pending_approval", riskLevel: "high" });
    expect(d.trace).toContainEqual(expect.objectContaining({ step: "session_risk", result: "escalated" }));
    expect(await dryRunDecide(policy, { action: "list_files" }, { session: { riskScore: 4 } })).toMatchObject(
      {
        outcome: "pending_approval",
        riskLevel: "medium",
      },
    );
    expect(await dryRunDecide(policy, { action: "list_files" }, { session: { riskScore: 3 } })).toMatchObject(
      {
        outcome: "allowed",
      },
    );
  });

  it("names bad imagined risk fields", async () => {
    const error = await dryRunDecide(
      policy,
      { action: "x" },
      {
        session: { riskScore: -1, recentActions: ["ok", 3 as unknown as string] },
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
      "session.riskScore",
      "session.recentActions[1]",
    ]);
  });

  it("refuses a model the action tier may not use", async () => {
    const models = loadPolicy({
      version: 1,
      actions: { autoApprove: ["chat"] },
      models: { tiers: { "gpt-4o": "premium" }, allow: { auto_approve: ["standard"] } },
    });
    const d = await dryRunDecide(models, {
      action: "chat",
      model: { model: "gpt-4o", inputTokens: 10, outputTokens: 10 },
    });
    expect(d).toMatchObject({ outcome: "denied", code: "model_not_allowed" });
  });
});

describe("POST /v1/policies/test with session risk", () => {
  const h = useHttp();

  it("takes the imagined session's risk_score and recent_actions", async () => {
    const run = async (session: Record<string, unknown>) => {
      const res = await h().call("/v1/policies/test", {
        token: TOKENS.viewer,
        body: { policy: RISK_POLICY, proposal: { action: "send_email" }, session },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    expect(await run({ recent_actions: ["read_database"] })).toMatchObject({
      outcome: "pending_approval",
      risk_level: "high",
    });
    expect(await run({ risk_score: 9 })).toMatchObject({ outcome: "pending_approval", risk_level: "high" });
    expect(await run({})).toMatchObject({ outcome: "allowed", risk_level: "low" });
  });
});
