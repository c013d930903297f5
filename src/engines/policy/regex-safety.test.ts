import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors/validation-error.js";
import type { RoutingDecision } from "../../types/decision.js";
import { parseProposal } from "../router/parse-proposal.js";
import { routeProposal } from "../router/route-proposal.js";
import { loadPolicy } from "./load-policy.js";

const hostile30 = `${"a".repeat(30)}!`;
const hostile100k = `${"a".repeat(100_000)}!`;

const route = async (policy: ReturnType<typeof loadPolicy>, input: Record<string, unknown>) =>
  (await routeProposal(
    policy,
    parseProposal({ sessionId: "s", action: "send", ...input }),
  )) as RoutingDecision;

function loadError(doc: Record<string, unknown>): ValidationError {
  try {
    loadPolicy({ version: 1, ...doc });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected the policy to be rejected");
}

describe("policy regular expressions run in linear time", () => {
  // Limits raised above the 100k inputs, so that the patterns really run on them.
  const evaluatorPolicy = loadPolicy({
    version: 1,
    actions: { autoApprove: ["send"] },
    evaluators: [
      {
        name: "aaa",
        type: "regex",
        config: { patterns: ["^(a+)+$"], field: "args.text", maxInputLength: 200_000 },
      },
    ],
  });
  const conditionPolicy = loadPolicy(
    {
      version: 1,
      actions: { autoApprove: ["send"] },
      autoApprove: { when: { field: "args.text", op: "matches", value: "(a|aa)+$" } },
    },
    { maxMatchLength: 200_000 },
  );

  it.each([
    ["30", hostile30],
    ["100k", hostile100k],
  ])("the regex evaluator ^(a+)+$ on a hostile %s-character input decides correctly", async (_n, text) => {
    const d = await route(evaluatorPolicy, { args: { text } });
    expect(d.verdict).toBe("allow");
    const matching = await route(evaluatorPolicy, { args: { text: text.slice(0, -1) } });
    expect(matching).toMatchObject({ verdict: "deny", code: "evaluator_denied" });
  });

  it.each([
    ["30", hostile30],
    ["100k", hostile100k],
  ])("a matches leaf (a|aa)+$ on a hostile %s-character input decides correctly", async (_n, text) => {
    expect(await route(conditionPolicy, { args: { text } })).toMatchObject({ verdict: "approve" });
    expect(await route(conditionPolicy, { args: { text: `${text}a` } })).toMatchObject({
      verdict: "allow",
      code: "auto_approved",
    });
  });

  it("resource globs with many stars match a long hostile resource id correctly", async () => {
    const policy = loadPolicy({
      version: 1,
      actions: { autoApprove: ["send"] },
      risk: { rules: [{ when: { resource: "*a*a*a*a*a*b" }, level: "high" }] },
      assets: { patterns: ["*a*a*a*a*a*c", "x*"], scope: "matched_only" },
    });
    const resourceId = "a".repeat(5000);
    expect(await route(policy, { resourceId })).toMatchObject({ code: "asset_scope", riskLevel: "low" });
    expect(await route(policy, { resourceId: `${resourceId}c` })).toMatchObject({ code: "auto_approved" });
    expect(await route(policy, { resourceId: `x${resourceId}B` })).toMatchObject({ riskLevel: "high" });
  });

  it("accepts RE2 syntax that JavaScript lacks (inline flags)", async () => {
    const policy = loadPolicy({
      version: 1,
      actions: { autoApprove: ["send"] },
      autoApprove: { when: { field: "args.text", op: "matches", value: "(?i)^hello" } },
    });
    expect(await route(policy, { args: { text: "HeLLo there" } })).toMatchObject({ verdict: "allow" });
  });
});

describe("patterns a linear-time engine cannot run are load errors naming the policy path", () => {
  it.each([
    ["(a)\\1", /backreferences/],
    ["(?<n>a)\\k<n>", /backreferences/],
    ["a(?=b)", /lookahead and lookbehind/],
    ["(?<!a)b", /lookahead and lookbehind/],
    ["(", /invalid regular expression/],
  ])("%s", (pattern, message) => {
    const inEvaluator = loadError({
      evaluators: [{ name: "r", type: "regex", config: { patterns: ["ok", pattern] } }],
    });
    expect(inEvaluator.code).toBe("policy_invalid");
    expect(inEvaluator.issues).toEqual([
      { path: "evaluators[0].config.patterns[1]", message: expect.stringMatching(message) },
    ]);
    const inTree = loadError({
      autoApprove: { when: { any: [{ field: "args.x", op: "matches", value: pattern }] } },
    });
    expect(inTree.code).toBe("policy_invalid");
    expect(inTree.issues).toEqual([
      { path: "autoApprove.when.any[0].value", message: expect.stringMatching(message) },
    ]);
  });
});

describe("input longer than the match limit is never scanned and fails closed", () => {
  it("the regex evaluator denies, naming the field and the limit, whatever denyOnMatch says", async () => {
    for (const denyOnMatch of [true, false]) {
      const policy = loadPolicy({
        version: 1,
        actions: { autoApprove: ["send"] },
        evaluators: [
          {
            name: "r",
            type: "regex",
            config: { patterns: ["secret"], field: "args.body", denyOnMatch, maxInputLength: 10 },
          },
        ],
      });
      const d = await route(policy, { args: { body: "0123456789x" } });
      expect(d).toMatchObject({ verdict: "deny", code: "evaluator_denied" });
      expect(d.reason).toBe(
        "Denied by evaluator r: args.body is longer than 10 characters (maxInputLength); not scanned",
      );
      expect((await route(policy, { args: { body: "0123456789" } })).verdict).toBe(
        denyOnMatch ? "allow" : "deny",
      );
    }
  });

  it("a matches leaf over the limit makes a risk rule critical and withholds auto-approval", async () => {
    const doc = {
      version: 1,
      actions: { autoApprove: ["send"] },
      autoApprove: {
        maxRisk: "critical",
        when: { not: { field: "args.sql", op: "matches", value: "(?i)drop" } },
      },
      risk: {
        rules: [
          { name: "ddl", when: { field: "args.sql", op: "matches", value: "(?i)drop" }, level: "high" },
        ],
      },
    };
    const policy = loadPolicy(doc, { maxMatchLength: 20 });
    const padded = `${" ".repeat(20)}select`;
    const d = await route(policy, { args: { sql: padded } });
    expect(d).toMatchObject({ verdict: "approve", code: "approval_required", riskLevel: "critical" });
    expect(d.trace).toContainEqual({
      step: "risk",
      result: "critical",
      detail:
        "risk.rules[0] (ddl): args.sql is longer than 20 characters (the regular-expression input limit); not scanned",
    });
    expect(d.trace).toContainEqual({
      step: "auto_approve",
      result: "no",
      detail:
        "autoApprove.when: args.sql is longer than 20 characters (the regular-expression input limit); not scanned",
    });
    expect(JSON.stringify(d)).not.toContain("select");
    expect(await route(policy, { args: { sql: "select 1" } })).toMatchObject({
      verdict: "allow",
      riskLevel: "low",
    });
    // The default limit is large enough for ordinary text.
    expect(await route(loadPolicy(doc), { args: { sql: padded } })).toMatchObject({ verdict: "allow" });
  });

  it("rejects a bad limit option or config", () => {
    expect(() => loadPolicy({ version: 1 }, { maxMatchLength: 0 })).toThrow(/maxMatchLength/);
    const e = loadError({
      evaluators: [{ name: "r", type: "regex", config: { patterns: ["x"], maxInputLength: -1 } }],
    });
    expect(e.issues[0]?.path).toBe("evaluators[0].config.maxInputLength");
  });
});
