import { describe, expect, it } from "vitest";
import type { RoutingDecision } from "../../types/decision.js";
import type { ProposalInput } from "../../types/proposal.js";
import { parseProposal } from "../router/parse-proposal.js";
import { classifyRisk, evaluatePolicy } from "./evaluate-policy.js";
import { loadPolicy } from "./load-policy.js";

type Doc = Record<string, unknown>;

function decide(doc: Doc, input: Partial<ProposalInput> & { action: string }): RoutingDecision {
  const d = evaluatePolicy(loadPolicy({ version: 1, ...doc }), parseProposal({ sessionId: "s", ...input }));
  if (d instanceof Promise) throw new Error("expected a synchronous decision");
  return d;
}

const lists = {
  actions: {
    blocked: ["ban", "all_lists"],
    steer: ["delete", "all_lists", "steer_and_approve"],
    alwaysApprove: ["transfer", "all_lists", "steer_and_approve", "approve_and_auto"],
    autoApprove: ["read", "all_lists", "approve_and_auto", "auto_and_free"],
    unrestricted: ["ping", "all_lists", "auto_and_free"],
  },
};

describe("tiers and precedence", () => {
  it.each([
    ["ban", "deny", "blocked_action", "blocked", "explicit_assignment"],
    ["delete", "steer", "steered", "steer", "policy_list_match"],
    ["transfer", "approve", "approval_required", "always_approve", "policy_list_match"],
    ["read", "allow", "auto_approved", "auto_approve", "policy_list_match"],
    ["ping", "allow", "unrestricted", "unrestricted", "policy_list_match"],
    ["all_lists", "deny", "blocked_action", "blocked", "explicit_assignment"],
    ["steer_and_approve", "steer", "steered", "steer", "policy_list_match"],
    ["approve_and_auto", "approve", "approval_required", "always_approve", "policy_list_match"],
    ["auto_and_free", "allow", "auto_approved", "auto_approve", "policy_list_match"],
    ["unknown", "deny", "unlisted_action", "blocked", "unlisted_default"],
  ])("%s → %s / %s / %s", (action, verdict, code, tier, step) => {
    expect(decide(lists, { action })).toMatchObject({ verdict, code, tier, step });
  });

  it("an action in autoApprove and unrestricted needs approval when auto-approval is not granted", () => {
    const d = decide({ ...lists, risk: { default: "high" } }, { action: "auto_and_free" });
    expect(d).toMatchObject({ verdict: "approve", tier: "always_approve" });
    expect(decide({ ...lists, risk: { default: "high" } }, { action: "ping" })).toMatchObject({
      verdict: "allow",
    });
  });

  it("matches action names exactly after normalisation (ban never matches unban)", () => {
    expect(decide(lists, { action: "  BAN " }).code).toBe("blocked_action");
    expect(decide(lists, { action: "unban" }).code).toBe("unlisted_action");
    expect(decide(lists, { action: "ban_user" }).code).toBe("unlisted_action");
    expect(decide({ actions: { blocked: [" Ban "] } }, { action: "ban" }).code).toBe("blocked_action");
  });

  it("reasons and traces say what decided", () => {
    const d = decide(lists, { action: "ban" });
    expect(d.reason).toBe("Action blocked by policy (action=ban)");
    expect(d.trace).toEqual([
      { step: "risk", result: "low", detail: "risk.default" },
      { step: "tier", result: "blocked", detail: "actions.blocked" },
    ]);
    expect(d.warnings).toEqual([]);
  });
});

describe("unlisted actions", () => {
  it("deny by default, approve or risk when configured", () => {
    expect(decide({}, { action: "x" })).toMatchObject({ verdict: "deny", code: "unlisted_action" });
    expect(decide({ actions: { unlisted: "approve" } }, { action: "x" })).toMatchObject({
      verdict: "approve",
      step: "unlisted_default",
    });
    expect(decide({ actions: { unlisted: "risk" } }, { action: "x" })).toMatchObject({
      verdict: "allow",
      code: "auto_approved",
      step: "risk_tier_match",
    });
    expect(
      decide({ actions: { unlisted: "risk" }, risk: { default: "medium" } }, { action: "x" }),
    ).toMatchObject({
      verdict: "approve",
      step: "risk_tier_match",
    });
  });

  it("unlisted: risk auto-approves only low risk, even when maxRisk or a tree would allow more", () => {
    const doc = {
      actions: { unlisted: "risk" },
      risk: { default: "medium" },
      autoApprove: { maxRisk: "high" },
    };
    expect(decide(doc, { action: "x" }).verdict).toBe("approve");
    expect(
      decide({ ...doc, risk: { default: "low" }, autoApprove: { when: { any: [] } } }, { action: "x" })
        .verdict,
    ).toBe("approve");
  });
});

describe("auto-approval", () => {
  const auto = (autoApprove: Doc, level: string, extra: Doc = {}) =>
    decide(
      { actions: { autoApprove: ["read"] }, risk: { default: level }, autoApprove, ...extra },
      { action: "read" },
    );

  it.each([
    ["low", "low", "allow"],
    ["medium", "low", "approve"],
    ["medium", "medium", "allow"],
    ["high", "medium", "approve"],
    ["critical", "critical", "allow"],
  ])("risk %s with maxRisk %s → %s (maxRisk is inclusive)", (level, maxRisk, verdict) => {
    expect(auto({ maxRisk }, level).verdict).toBe(verdict);
  });

  it("dryRunOnly blocks auto-approval in live mode only", () => {
    expect(auto({ dryRunOnly: true }, "low").verdict).toBe("approve");
    expect(auto({ dryRunOnly: true }, "low").trace[1]).toEqual({
      step: "auto_approve",
      result: "no",
      detail: "autoApprove.dryRunOnly and executionMode is live",
    });
    expect(auto({ dryRunOnly: true }, "low", { executionMode: "dry_run" }).verdict).toBe("allow");
  });

  it("a when tree replaces the flat check (can allow medium risk in live mode, or refuse low risk)", () => {
    const when = { field: "args.amount", op: "le", value: 100 };
    const tree = (amount: number, level: string) =>
      decide(
        {
          actions: { autoApprove: ["pay"] },
          risk: { default: level },
          autoApprove: { when, dryRunOnly: true },
        },
        { action: "pay", args: { amount } },
      );
    expect(tree(100, "medium")).toMatchObject({ verdict: "allow", step: "condition_tree" });
    expect(tree(101, "low")).toMatchObject({ verdict: "approve", step: "condition_tree" });
    expect(tree(100, "medium").trace).toContainEqual({
      step: "auto_approve",
      result: "yes",
      detail: "autoApprove.when",
    });
  });
});

describe("asset scope", () => {
  const doc = {
    actions: { autoApprove: ["read"], blocked: ["ban"] },
    assets: { patterns: ["repo-*"], scope: "matched_only" },
  };

  it("blocks a proposal whose resource matches no pattern (or has no resource)", () => {
    expect(decide(doc, { action: "read", resourceId: "REPO-1" }).verdict).toBe("allow");
    expect(decide(doc, { action: "read", resourceId: "db-1" })).toMatchObject({
      verdict: "deny",
      code: "asset_scope",
      step: "capability_match",
      reason: "Action blocked by asset scope (resource=db-1, scope=matched_only)",
    });
    expect(decide(doc, { action: "read" }).code).toBe("asset_scope");
  });

  it("comes after the blocked list and does nothing with scope all", () => {
    expect(decide(doc, { action: "ban", resourceId: "db-1" }).code).toBe("blocked_action");
    expect(
      decide({ ...doc, assets: { patterns: ["repo-*"] } }, { action: "read", resourceId: "db-1" }).verdict,
    ).toBe("allow");
  });
});

describe("steering", () => {
  it("suggests autoApprove + unrestricted actions with the default guidance and 3 retries", () => {
    const d = decide(lists, { action: "delete" });
    expect(d.verdict === "steer" && d.steering).toEqual({
      guidance:
        "Action 'delete' requires steering. Consider alternatives: read, all_lists, approve_and_auto, auto_and_free, ping",
      suggestedActions: ["read", "all_lists", "approve_and_auto", "auto_and_free", "ping"],
      maxRetries: 3,
    });
  });

  it("is configurable in the steering section", () => {
    const d = decide(
      {
        actions: { steer: ["delete"], autoApprove: ["archive"] },
        steering: {
          maxRetries: 1,
          guidance: "Do not {action}; try {alternatives}.",
          suggestedActions: ["Soft_Delete"],
        },
      },
      { action: "delete" },
    );
    expect(d.verdict === "steer" && d.steering).toEqual({
      guidance: "Do not delete; try soft_delete.",
      suggestedActions: ["soft_delete"],
      maxRetries: 1,
    });
    const none = decide({ actions: { steer: ["delete"] } }, { action: "delete" });
    expect(none.verdict === "steer" && none.steering.guidance).toBe(
      "Action 'delete' requires steering. No pre-approved alternatives available.",
    );
  });
});

describe("risk classification", () => {
  const rules = {
    actions: { unlisted: "approve" },
    risk: {
      default: "medium",
      rules: [
        { name: "big", when: { field: "args.amount", op: "gt", value: 1000 }, level: "critical" },
        { when: { field: "args.amount", op: "gt", value: 100 }, level: "high" },
        { when: { resource: "sandbox-*" }, level: "low" },
      ],
    },
  };
  const risk = (input: Partial<ProposalInput>) =>
    classifyRisk(
      loadPolicy({ version: 1, ...rules }),
      parseProposal({ sessionId: "s", action: "x", ...input }),
    );

  it("takes the first matching rule, else the default", () => {
    expect(risk({ args: { amount: 5000 }, resourceId: "sandbox-1" })).toBe("critical");
    expect(risk({ args: { amount: 1000 } })).toBe("high");
    expect(risk({ args: { amount: 100 }, resourceId: "sandbox-1" })).toBe("low");
    expect(risk({ args: { amount: 100 } })).toBe("medium");
    expect(decide(rules, { action: "x", args: { amount: 5000 } }).trace[0]).toEqual({
      step: "risk",
      result: "critical",
      detail: "risk.rules[0] (big)",
    });
  });

  it("weighted: the original's weight/score classifier, read from metadata by default", () => {
    const doc = { version: 1, risk: { classifier: "weighted" }, assets: { patterns: ["acct-*"] } };
    const w = (metadata: Record<string, number | string>, resourceId = "acct-1", extra: Doc = {}) =>
      classifyRisk(
        loadPolicy({ ...doc, ...extra }),
        parseProposal({ sessionId: "s", action: "x", resourceId, metadata }),
      );
    expect(w({ weight: 2.5, score: 0.7 })).toBe("low");
    expect(w({ weight: "2.5", score: "0.7" })).toBe("low");
    expect(w({ weight: 2.6, score: 0.7 })).toBe("medium");
    expect(w({ weight: 2.5, score: 0.69 })).toBe("medium");
    expect(w({ weight: 1, score: 0.9 }, "other")).toBe("medium");
    expect(w({ weight: 5, score: 0.9 })).toBe("high");
    expect(w({ weight: 4.99, score: 0.5 })).toBe("medium");
    expect(w({ weight: 4.99, score: 0.49 })).toBe("high");
    expect(w({})).toBe("high");
    expect(
      classifyRisk(
        loadPolicy({
          version: 1,
          risk: { classifier: "weighted", weighted: { weightField: "args.w", scoreField: "args.s" } },
        }),
        parseProposal({ sessionId: "s", action: "x", args: { w: 0, s: 1 }, metadata: { weight: 9 } }),
      ),
    ).toBe("low");
  });

  it("a host classifier replaces the policy's, and an invalid result is critical", () => {
    const p = parseProposal({ sessionId: "s", action: "x", args: { amount: 7 } });
    const custom = loadPolicy(
      { version: 1, ...rules },
      {
        riskClassifier: (proposal, doc) => (proposal.args.amount === 7 && doc.version === 1 ? "high" : "low"),
      },
    );
    expect(classifyRisk(custom, p)).toBe("high");
    const broken = loadPolicy({ version: 1 }, { riskClassifier: () => "severe" as never });
    expect(classifyRisk(broken, p)).toBe("critical");
  });
});
