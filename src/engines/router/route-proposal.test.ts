import { describe, expect, it } from "vitest";
import type { AgentRecord } from "../../types/agent.js";
import type { RoutingDecision } from "../../types/decision.js";
import type { Evaluator } from "../evaluators/evaluator.js";
import { createEvaluatorRegistry } from "../evaluators/evaluator-registry.js";
import { loadPolicy } from "../policy/load-policy.js";
import { parseProposal } from "./parse-proposal.js";
import { routeProposal } from "./route-proposal.js";

const agent = (capabilities: string[]): AgentRecord => ({
  id: "bot-1",
  name: "Bot",
  capabilities,
  tags: [],
  createdAt: 0,
  updatedAt: 0,
});
const proposal = (action: string, extra: Record<string, unknown> = {}) =>
  parseProposal({ sessionId: "s", agentId: "bot-1", action, ...extra });
const policy = loadPolicy({
  version: 1,
  actions: { autoApprove: ["read"], alwaysApprove: ["pay"], blocked: ["rm"], steer: ["delete"] },
});

function sync(d: RoutingDecision | Promise<RoutingDecision>): RoutingDecision {
  if (d instanceof Promise) throw new Error("expected a synchronous decision");
  return d;
}

describe("agent identity and capabilities", () => {
  it("does no identity check when no agent registry is consulted", () => {
    expect(sync(routeProposal(policy, proposal("read"))).trace.map((t) => t.step)).toEqual([
      "risk",
      "auto_approve",
      "tier",
    ]);
  });

  it("denies an unregistered agent and a missing capability by default", () => {
    expect(sync(routeProposal(policy, proposal("read"), { agent: null }))).toMatchObject({
      verdict: "deny",
      code: "unknown_agent",
      tier: "blocked",
      reason: "Agent bot-1 is not registered",
      step: "capability_match",
    });
    const d = sync(routeProposal(policy, proposal("pay"), { agent: agent(["read"]) }));
    expect(d).toMatchObject({
      verdict: "deny",
      code: "missing_capability",
      reason: 'Agent bot-1 lacks capability "pay"',
    });
    expect(d.trace[0]).toMatchObject({ step: "agent", result: "missing_capability" });
  });

  it("allows a listed capability or the * wildcard (exact names)", () => {
    expect(sync(routeProposal(policy, proposal("read"), { agent: agent(["read"]) })).verdict).toBe("allow");
    expect(sync(routeProposal(policy, proposal("read"), { agent: agent(["*"]) })).verdict).toBe("allow");
    expect(sync(routeProposal(policy, proposal("read"), { agent: agent(["rea", "read_all"]) })).code).toBe(
      "missing_capability",
    );
  });

  it("in warn mode proceeds with a warning in the decision and the trace", () => {
    const d = sync(routeProposal(policy, proposal("pay"), { agent: null, agentPolicy: "warn" }));
    expect(d).toMatchObject({ verdict: "approve", warnings: ["Agent bot-1 is not registered"] });
    expect(d.trace[0]).toEqual({ step: "agent", result: "warn", detail: "Agent bot-1 is not registered" });
  });

  it("identity is checked before the blocked list", () => {
    expect(sync(routeProposal(policy, proposal("rm"), { agent: null })).code).toBe("unknown_agent");
  });
});

describe("evaluators in the router", () => {
  const withEvaluators = loadPolicy({
    version: 1,
    actions: {
      autoApprove: ["read"],
      alwaysApprove: ["pay"],
      blocked: ["rm"],
      steer: ["delete"],
      unrestricted: ["ping"],
    },
    evaluators: [
      { name: "no-secrets", type: "regex", config: { patterns: ["secret"] } },
      { name: "allowed", type: "list", config: { blocklist: ["ping"] } },
    ],
  });

  it("runs for allow and approve verdicts; a deny becomes evaluator_denied with the reason", async () => {
    const d = routeProposal(withEvaluators, proposal("read", { resourceId: "top-secret" }));
    expect(d).toBeInstanceOf(Promise);
    expect(await d).toMatchObject({
      verdict: "deny",
      code: "evaluator_denied",
      tier: "blocked",
      reason: "Denied by evaluator no-secrets: Regex match on resourceId: patterns[0]",
    });
    expect((await routeProposal(withEvaluators, proposal("ping"))).code).toBe("evaluator_denied");
    expect(await routeProposal(withEvaluators, proposal("pay", { resourceId: "secret" }))).toMatchObject({
      code: "evaluator_denied",
    });
    const ok = await routeProposal(withEvaluators, proposal("read", { resourceId: "docs" }));
    expect(ok).toMatchObject({ verdict: "allow", code: "auto_approved" });
    expect(ok.trace.at(-1)).toEqual({ step: "evaluators", result: "allow" });
  });

  it("does not run (and stays synchronous) for deny and steer verdicts", () => {
    expect(sync(routeProposal(withEvaluators, proposal("rm", { resourceId: "secret" }))).code).toBe(
      "blocked_action",
    );
    expect(sync(routeProposal(withEvaluators, proposal("delete", { resourceId: "secret" }))).code).toBe(
      "steered",
    );
    expect(sync(routeProposal(withEvaluators, proposal("nope"))).code).toBe("unlisted_action");
  });

  it("times out a slow evaluator and denies with the reason", async () => {
    const registry = createEvaluatorRegistry().register({
      type: "hang",
      evaluate: () => new Promise(() => {}),
    });
    const p = loadPolicy(
      {
        version: 1,
        actions: { autoApprove: ["read"] },
        evaluators: [{ name: "h", type: "hang", timeoutMs: 15 }],
      },
      { evaluators: registry },
    );
    expect(await routeProposal(p, proposal("read"))).toMatchObject({
      code: "evaluator_denied",
      reason: "Denied by evaluator h: Evaluator h timed out after 15ms",
    });
  });

  it("looks evaluator types up in ctx.evaluators when given (missing type denies)", async () => {
    const calls: string[] = [];
    const spy: Evaluator = {
      type: "regex",
      evaluate: () => {
        calls.push("spy");
        return { allow: true, reason: "spy" };
      },
    };
    const other = createEvaluatorRegistry({ builtins: false }).register(spy);
    const d = await routeProposal(withEvaluators, proposal("read", { resourceId: "secret" }), {
      evaluators: other,
    });
    expect(calls).toEqual(["spy"]);
    expect(d).toMatchObject({
      code: "evaluator_denied",
      reason: expect.stringContaining('evaluator type "list" is not registered'),
    });
  });

  it("runs evaluator leaves of autoApprove.when and decides on their result", async () => {
    const p = loadPolicy({
      version: 1,
      actions: { autoApprove: ["read"] },
      evaluators: [{ name: "dev-only", type: "list", config: { allowlist: ["dev"] } }],
      autoApprove: { when: { evaluator: "dev-only", config: { field: "metadata.env" } } },
    });
    expect(await routeProposal(p, proposal("read", { metadata: { env: "dev" } }))).toMatchObject({
      verdict: "deny",
    });
    const tree = loadPolicy({
      version: 1,
      actions: { autoApprove: ["read"] },
      autoApprove: { when: { evaluator: "list", config: { allowlist: ["dev"], field: "metadata.env" } } },
    });
    expect(await routeProposal(tree, proposal("read", { metadata: { env: "dev" } }))).toMatchObject({
      verdict: "allow",
      step: "condition_tree",
    });
    expect(await routeProposal(tree, proposal("read", { metadata: { env: "prod" } }))).toMatchObject({
      verdict: "approve",
      step: "condition_tree",
    });
  });

  it("an aborted signal denies when evaluators must run", async () => {
    const controller = new AbortController();
    controller.abort();
    expect(
      await routeProposal(withEvaluators, proposal("read"), { signal: controller.signal }),
    ).toMatchObject({
      code: "evaluator_denied",
      reason: "Evaluators did not decide: evaluation aborted",
    });
  });
});
