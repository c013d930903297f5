import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";

const YAML = "version: 1\nactions:\n  blocked: [drop_table]\n  autoApprove: [read_row]\n";

describe("policies: current, validate, test (dry run)", () => {
  const h = useHttp();

  it("serves the current default policy", async () => {
    const res = await h().call("/v1/policies/current", { token: TOKENS.viewer });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { policy_id: string; policy: Record<string, unknown> };
    expect(body.policy_id).toBe(h().cp.policy.id);
    expect(body.policy).toEqual(JSON.parse(JSON.stringify(h().cp.policy.document)));
    expect((await h().call("/v1/policies/current", { token: TOKENS.agentA })).status).toBe(403);
    expect((await h().call("/v1/policies/current")).status).toBe(401);
  });

  it("validates a policy given as YAML text or as an object; an invalid one is 200 valid:false", async () => {
    const ok = await h().call("/v1/policies/validate", { token: TOKENS.viewer, body: { policy: YAML } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ valid: true, issues: [] });
    const obj = await h().call("/v1/policies/validate", {
      token: TOKENS.viewer,
      body: { policy: { version: 1, actions: { blocked: [3] } } },
    });
    expect(obj.status).toBe(200);
    const r = (await obj.json()) as {
      valid: boolean;
      policy_id: null;
      issues: { path: string; message: string }[];
    };
    expect(r.valid).toBe(false);
    expect(r.issues.map((i) => i.path)).toContain("actions.blocked[0]");
    const syntax = await h().call("/v1/policies/validate", {
      token: TOKENS.viewer,
      body: { policy: "a: [" },
    });
    expect(await syntax.json()).toMatchObject({ valid: false });
  });

  it("never reads a file named by the policy text", async () => {
    for (const path of ["examples/policy.yaml", "/etc/passwd"]) {
      const res = await h().call("/v1/policies/validate", { token: TOKENS.viewer, body: { policy: path } });
      expect(res.status).toBe(200);
      const r = (await res.json()) as { valid: boolean; issues: { message: string }[] };
      expect(r.valid).toBe(false);
      expect(r.issues[0]!.message).toContain("expected a mapping");
    }
  });

  it("answers 422 for a body that is not {policy}", async () => {
    for (const body of [{}, { policy: 3 }, { policy: YAML, extra: true }, [YAML]]) {
      const res = await h().call("/v1/policies/validate", { token: TOKENS.viewer, body });
      expect(res.status).toBe(422);
    }
  });

  it("dry-runs a proposal: decision, code, tier, risk and trace — and stores nothing", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const feedBefore = await h().cp.feed();
    const sessionsBefore = await h().cp.listSessions();
    const run = async (body: unknown) => {
      const res = await h().call("/v1/policies/test", { token: TOKENS.viewer, body });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    expect(await run({ proposal: { action: "send_payment", cost: "5" } })).toMatchObject({
      outcome: "pending_approval",
      code: "approval_required",
      tier: "always_approve",
      stored: false,
      policy_id: h().cp.policy.id,
    });
    const blocked = await run({ policy: YAML, proposal: { action: "drop_table" } });
    expect(blocked).toMatchObject({ outcome: "denied", code: "blocked_action", tier: "blocked" });
    expect((blocked.trace as unknown[]).length).toBeGreaterThan(1);
    expect(await run({ proposal: { action: "force_push" } })).toMatchObject({ outcome: "steered" });
    expect(
      await run({ proposal: { action: "read_file", cost: 2 }, session: { max_cost: "3", used_cost: "1.5" } }),
    ).toMatchObject({ outcome: "denied", code: "budget_exhausted" });
    expect(await run({ proposal: { action: "read_file" }, session: { status: "paused" } })).toMatchObject({
      outcome: "denied",
      code: "session_not_executable",
    });
    expect(await run({ proposal: { action: "read_file" } })).toMatchObject({
      outcome: "allowed",
      risk_level: "low",
    });

    expect(await h().cp.feed()).toEqual(feedBefore);
    expect(await h().cp.listSessions()).toEqual(sessionsBefore);
    expect(await h().cp.listProposals()).toEqual([]);
    expect((await h().cp.getSession(s.id)).lastSeq).toBe(s.lastSeq);
  });

  it("answers 422 naming the field of a bad dry run, 403 for an agent token", async () => {
    const bad = await h().call("/v1/policies/test", {
      token: TOKENS.viewer,
      body: { proposal: { action: "x", cost: "-1" } },
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain("body.proposal.cost");
    const badPolicy = await h().call("/v1/policies/test", {
      token: TOKENS.viewer,
      body: { policy: { actions: { blocked: [1] } }, proposal: { action: "x" } },
    });
    expect(badPolicy.status).toBe(422);
    expect(JSON.stringify(await badPolicy.json())).toContain("body.policy.actions.blocked[0]");
    const extra = await h().call("/v1/policies/test", {
      token: TOKENS.viewer,
      body: { proposal: { action: "x", session_id: "s" } },
    });
    expect(extra.status).toBe(422);
    const agent = await h().call("/v1/policies/test", {
      token: TOKENS.agentA,
      body: { proposal: { action: "x" } },
    });
    expect(agent.status).toBe(403);
    expect(await h().cp.feed()).toEqual([]);
  });
});
