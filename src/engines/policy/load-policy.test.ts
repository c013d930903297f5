import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors/validation-error.js";
import { createEvaluatorRegistry } from "../evaluators/evaluator-registry.js";
import { isCompiledPolicy } from "./compiled-policy.js";
import { loadPolicy } from "./load-policy.js";

function problems(source: unknown, options?: Parameters<typeof loadPolicy>[1]): string[] {
  try {
    loadPolicy(source as Parameters<typeof loadPolicy>[0], options);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe("policy_invalid");
    return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected loadPolicy to throw");
}

describe("loadPolicy sources", () => {
  const yaml = "version: 1\nactions:\n  autoApprove: [Read]\napprovals:\n  timeout: 15m\n";

  it("loads YAML text, JSON text, a file path and a plain object to the same policy", () => {
    const dir = mkdtempSync(join(tmpdir(), "acp-policy-"));
    writeFileSync(join(dir, "p.yaml"), yaml);
    writeFileSync(
      join(dir, "p.json"),
      JSON.stringify({ version: 1, actions: { autoApprove: ["read"] }, approvals: { timeout: "15m" } }),
    );
    const fromText = loadPolicy(yaml);
    const fromJsonText = loadPolicy(
      '{"version":1,"actions":{"autoApprove":["read"]},"approvals":{"timeout":"15m"}}',
    );
    const fromYamlFile = loadPolicy(join(dir, "p.yaml"));
    const fromJsonFile = loadPolicy("p.json", { baseDir: dir });
    const fromObject = loadPolicy({
      version: 1,
      actions: { autoApprove: [" READ "] },
      approvals: { timeout: "15m" },
    });
    for (const p of [fromJsonText, fromYamlFile, fromJsonFile, fromObject]) expect(p.id).toBe(fromText.id);
    expect(fromText.approvals.timeoutMs).toBe(900_000);
    expect(fromText.document.actions.autoApprove).toEqual(["read"]);
  });

  it("returns an already compiled policy as is, and reloads its document to the same id", () => {
    const policy = loadPolicy(yaml);
    expect(loadPolicy(policy)).toBe(policy);
    const again = loadPolicy(JSON.parse(JSON.stringify(policy.document)));
    expect(again).not.toBe(policy);
    expect(again.id).toBe(policy.id);
    expect(again.id).toMatch(/^[0-9a-f]{32}$/);
    expect(isCompiledPolicy(again)).toBe(true);
    expect(isCompiledPolicy({ ...again })).toBe(false);
  });

  it("fills every default into the document (so the id ignores how defaults were written)", () => {
    const minimal = loadPolicy({ version: 1 });
    expect(minimal.document).toEqual({
      version: 1,
      executionMode: "live",
      actions: {
        blocked: [],
        alwaysApprove: [],
        autoApprove: [],
        steer: [],
        unrestricted: [],
        unlisted: "deny",
      },
      steering: { maxRetries: 3 },
      risk: { classifier: "rules", default: "low", rules: [] },
      assets: { patterns: [], scope: "all" },
      autoApprove: { maxRisk: "low", dryRunOnly: false },
      evaluators: [],
      approvals: { timeout: "1h", onTimeout: "deny", escalation: [] },
    });
    expect(loadPolicy(minimal.document).id).toBe(minimal.id);
    expect(minimal.approvals.timeoutMs).toBe(3_600_000);
    expect(loadPolicy({ version: 1, actions: { unlisted: "approve" } }).id).not.toBe(minimal.id);
  });

  it("deep-freezes the policy and its document", () => {
    const policy = loadPolicy({
      version: 1,
      actions: { blocked: ["x"] },
      autoApprove: { when: { all: [{ field: "args.a", op: "in", value: [1, 2] }] } },
    });
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.document.actions.blocked)).toBe(true);
    expect(Object.isFrozen(policy.document.autoApprove.when)).toBe(true);
    expect(() => (policy.document.actions.blocked as string[]).push("y")).toThrow(TypeError);
  });

  it("does not share structure with the caller's object", () => {
    const input = { version: 1, actions: { blocked: ["a"] } };
    const policy = loadPolicy(input);
    input.actions.blocked.push("b");
    expect(policy.document.actions.blocked).toEqual(["a"]);
  });

  it("accepts durations in every unit and as milliseconds", () => {
    const ms = (timeout: unknown) => loadPolicy({ version: 1, approvals: { timeout } }).approvals.timeoutMs;
    expect(ms("250ms")).toBe(250);
    expect(ms("30s")).toBe(30_000);
    expect(ms("1.5h")).toBe(5_400_000);
    expect(ms("2d")).toBe(172_800_000);
    expect(ms(1234)).toBe(1234);
  });
});

describe("loadPolicy errors", () => {
  it("lists every problem with its path, unknown keys included", () => {
    expect(
      problems({
        version: 2,
        executionMode: "prod",
        actions: { blocked: ["a", "b", 3], blokced: [] },
        steering: { maxRetries: -1 },
        approvals: { timeout: "15 minutes" },
        extra: true,
      }),
    ).toEqual([
      "version: expected 1, got 2",
      'executionMode: expected "live" | "dry_run", got "prod"',
      "actions.blocked[2]: expected a string, got a number",
      "actions.blokced: unknown key",
      "steering.maxRetries: expected a number >= 0",
      'approvals.timeout: expected a duration like "15m", "1h", "30s", "250ms" or a number of milliseconds',
      "extra: unknown key",
    ]);
  });

  it("reports structural, evaluator and condition-tree problems together", () => {
    const issues = problems({
      version: 1,
      actions: { autoApprove: [""] },
      risk: {
        rules: [
          { when: { risk: "high" }, level: "high" },
          { level: "medium" },
          { when: { field: "args.x", op: "gt", value: 1 }, level: "severe" },
        ],
      },
      autoApprove: {
        when: { any: [{ evaluator: "ghost" }, { field: "args.a", op: "matches", value: "[" }] },
      },
      evaluators: [
        { name: "pii", type: "nope" },
        { name: "pii", type: "list", config: { allowlist: "x" } },
        { name: "slow", type: "regex", config: { patterns: ["a"] }, timeoutMs: 0 },
      ],
    });
    expect(issues).toEqual([
      "actions.autoApprove[0]: expected a non-empty string",
      'risk.rules[2].level: expected "low" | "medium" | "high" | "critical", got "severe"',
      "evaluators[2].timeoutMs: expected a number >= 1",
      'evaluators[0].type: unknown evaluator type "nope" (registered: regex, list)',
      "evaluators[1].config.allowlist: expected a list of strings",
      'evaluators[1].name: duplicate evaluator name "pii"',
      "risk.rules[0].when: a risk leaf cannot be used here (risk rules compute the risk)",
      "risk.rules[1].when: required: expected a condition",
      expect.stringMatching(/^autoApprove\.when\.any\[1\]\.value: invalid regular expression/),
      'autoApprove.when.any[0].evaluator: unknown evaluator "ghost" (neither a policy evaluator name nor a registered type)',
    ]);
  });

  it("validates evaluator leaf configs against the evaluator type", () => {
    expect(
      problems({
        version: 1,
        evaluators: [{ name: "deny-list", type: "list", config: { blocklist: ["x"] } }],
        autoApprove: {
          when: {
            all: [
              { evaluator: "regex", config: { patterns: [1] } },
              { evaluator: "deny-list", config: { bad: 1 } },
            ],
          },
        },
      }),
    ).toEqual([
      "autoApprove.when.all[0].config.patterns[0]: expected a string",
      "autoApprove.when.all[1].config.bad: unknown key",
    ]);
  });

  it("rejects risk rules with the weighted classifier and bad weighted fields", () => {
    expect(
      problems({
        version: 1,
        risk: {
          classifier: "weighted",
          rules: [{ when: { actions: ["a"] }, level: "low" }],
          weighted: { scoreField: "score" },
        },
      }),
    ).toEqual([
      'risk.rules: rules are not used by classifier "weighted"; remove them',
      expect.stringMatching(/^risk\.weighted\.scoreField: unknown field "score"/),
    ]);
  });

  it("enforces the condition depth limit, configurable per load", () => {
    let when: unknown = { actions: ["x"] };
    for (let i = 0; i < 8; i++) when = { not: when };
    expect(problems({ version: 1, autoApprove: { when } })).toEqual([
      "autoApprove.when.not.not.not.not.not.not.not.not: condition tree is deeper than 8 levels",
    ]);
    const deep = loadPolicy({ version: 1, autoApprove: { when } }, { maxConditionDepth: 9 });
    expect(JSON.stringify(deep.document.autoApprove.when)).toBe(
      `${'{"not":'.repeat(8)}{"actions":["x"],"mode":"in"}${"}".repeat(8)}`,
    );
  });

  it("accepts only JSON values in evaluator configs", () => {
    expect(
      problems({
        version: 1,
        evaluators: [{ name: "l", type: "list", config: { blocklist: ["a"], when: new Date(0) } }],
        autoApprove: { when: { evaluator: "list", config: { allowlist: [() => 1] } } },
      }),
    ).toEqual([
      "evaluators[0].config.when: expected a JSON value, got a Date",
      "evaluators[0].config.when: unknown key",
      "autoApprove.when.config.allowlist: does not match any allowed form",
    ]);
  });

  it("checks evaluator types against the registry given", () => {
    const registry = createEvaluatorRegistry({ builtins: false });
    expect(
      problems({ version: 1, evaluators: [{ name: "l", type: "list" }] }, { evaluators: registry }),
    ).toEqual(['evaluators[0].type: unknown evaluator type "list" (registered: none)']);
  });

  it("reports YAML syntax errors, duplicate keys, unreadable files and non-object documents", () => {
    expect(problems("version: 1\nactions: [unclosed\n")[0]).toMatch(
      /^: policy text: syntax error at line \d+/,
    );
    expect(problems("version: 1\nversion: 1\n")[0]).toMatch(/syntax error.*[Mm]ap keys must be unique/);
    expect(problems("/no/such/policy.yaml")[0]).toMatch(/^: policy file not found: \/no\/such\/policy\.yaml/);
    expect(problems("- a\n- b\n")).toEqual([": expected an object, got a list"]);
  });

  it("reports a YAML alias bomb as policy_invalid, not a raw ReferenceError", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [prev, name] of [
      ["a", "b"],
      ["b", "c"],
      ["c", "d"],
      ["d", "e"],
      ["e", "f"],
      ["f", "g"],
    ]) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const [problem] = problems(`${levels.join("\n")}\n`);
    expect(problem).toMatch(/^: policy text: too many YAML aliases/);
  });

  it("prints a YAML error location once", () => {
    const [problem] = problems("version: 1\nactions: [unclosed\n");
    expect(problem).toMatch(/at line \d+, column \d+/);
    expect(problem!.match(/at line/g)).toHaveLength(1);
  });

  it("reports a missing policy file as file not found, naming the path, whatever its extension", () => {
    expect(problems("/no/such/policy.yaml")).toEqual([": policy file not found: /no/such/policy.yaml"]);
    expect(problems("/no/such/policy")).toEqual([": policy file not found: /no/such/policy"]);
    const dir = mkdtempSync(join(tmpdir(), "acp-policy-"));
    expect(problems("missing.txt", { baseDir: dir })).toEqual([
      `: policy file not found: ${join(dir, "missing.txt")}`,
    ]);
  });

  it("rejects a policy object with a cycle or over the JSON limits, naming the path", () => {
    const config: Record<string, unknown> = { blocklist: ["x"] };
    config.self = config;
    const policy = { version: 1, evaluators: [{ name: "l", type: "list", config }] };
    expect(problems(policy)).toEqual([
      "evaluators[0].config.self: circular reference (back to evaluators[0].config)",
    ]);
    const deep = { version: 1, actions: { blocked: [[[["x"]]]] } };
    expect(problems(deep, { jsonLimits: { maxDepth: 3, maxSize: 1000 } })).toEqual([
      "actions.blocked[0]: nested deeper than 3 levels (maxJsonDepth)",
    ]);
  });
});
