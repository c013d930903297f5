import { describe, expect, it } from "vitest";
import type { ConditionNode } from "../../types/condition.js";
import type { Proposal } from "../../types/proposal.js";
import type { RiskLevel } from "../../types/risk.js";
import type { Evaluator } from "../evaluators/evaluator.js";
import { parseProposal } from "../router/parse-proposal.js";
import { type CompiledCondition, compileCondition, type EvaluatorResolver } from "./compile-condition.js";
import { validateCondition } from "./validate-condition.js";

const noEvaluators: EvaluatorResolver = () => {
  throw new Error("no evaluators in this test");
};

function compile(raw: unknown, resolve: EvaluatorResolver = noEvaluators): CompiledCondition {
  const v = validateCondition(raw);
  if (!v.ok) throw new Error(v.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  return compileCondition(v.node, resolve);
}

const base = parseProposal({
  sessionId: "s1",
  agentId: "bot-1",
  action: "transfer",
  resourceId: "Prod-DB-1",
  args: { amount: 100, tags: ["a", "b"], note: "hello world", flag: null },
  metadata: { env: "prod" },
  cost: "2.5",
});

const test = (raw: unknown, p: Proposal = base, risk: RiskLevel = "medium") =>
  compile(raw).evaluate(p, { risk });

/** A proposal whose `args.probe` counts how often it is read (to prove short-circuiting). */
function probe(): { proposal: Proposal; reads: () => number } {
  let reads = 0;
  const args = {
    get probe() {
      reads++;
      return 1;
    },
  };
  return { proposal: { ...base, args }, reads: () => reads };
}

describe("field leaves", () => {
  it.each([
    [{ field: "args.amount", op: "eq", value: 100 }, true],
    [{ field: "args.amount", op: "eq", value: "100" }, false],
    [{ field: "args.amount", op: "ne", value: 100 }, false],
    [{ field: "args.missing", op: "ne", value: 1 }, true],
    [{ field: "args.amount", op: "lt", value: 100 }, false],
    [{ field: "args.amount", op: "le", value: 100 }, true],
    [{ field: "args.amount", op: "gt", value: 100 }, false],
    [{ field: "args.amount", op: "ge", value: 100 }, true],
    [{ field: "args.amount", op: "gt", value: 99.99 }, true],
    [{ field: "args.note", op: "gt", value: 5 }, false],
    [{ field: "metadata.env", op: "ge", value: "prod" }, true],
    [{ field: "cost", op: "le", value: 2.5 }, true],
    [{ field: "cost", op: "lt", value: 2.5 }, false],
    [{ field: "agentId", op: "in", value: ["bot-1", "bot-2"] }, true],
    [{ field: "agentId", op: "not_in", value: ["bot-1"] }, false],
    [{ field: "args.missing", op: "in", value: [null] }, false],
    [{ field: "args.note", op: "contains", value: "lo wo" }, true],
    [{ field: "args.tags", op: "contains", value: "b" }, true],
    [{ field: "args.tags", op: "contains", value: "c" }, false],
    [{ field: "args.amount", op: "contains", value: 1 }, false],
    [{ field: "resourceId", op: "matches", value: "^Prod-DB-\\d+$" }, true],
    [{ field: "resourceId", op: "matches", value: "^prod" }, false],
    [{ field: "args.amount", op: "matches", value: "100" }, false],
    [{ field: "metadata.env", op: "exists" }, true],
    [{ field: "args.flag", op: "exists" }, false],
    [{ field: "args.missing", op: "exists", value: false }, true],
    [{ field: "resourceType", op: "eq", value: null }, true],
    [{ field: "action", op: "eq", value: "transfer" }, true],
  ])("%j → %s", (node, expected) => {
    expect(test(node)).toBe(expected);
  });
});

describe("risk, actions and resource leaves", () => {
  it.each([
    ["eq", "medium", true],
    ["ne", "medium", false],
    ["lt", "medium", false],
    ["le", "medium", true],
    ["gt", "low", true],
    ["ge", "high", false],
    ["lt", "critical", true],
  ])("risk medium %s %s → %s", (op, level, expected) => {
    expect(test({ risk: level, op })).toBe(expected);
  });

  it("defaults the risk operator to eq", () => {
    expect(test({ risk: "medium" })).toBe(true);
    expect(test({ risk: "high" })).toBe(false);
  });

  it("matches actions exactly after normalisation", () => {
    expect(test({ actions: ["TRANSFER"] })).toBe(true);
    expect(test({ actions: ["trans"] })).toBe(false);
    expect(test({ actions: ["transfer"], mode: "not_in" })).toBe(false);
    expect(test({ actions: [] })).toBe(false);
  });

  it("matches resources by glob, case-insensitively; no resource never matches", () => {
    expect(test({ resource: "prod-db-*" })).toBe(true);
    expect(test({ resource: ["dev-*", "prod-db-?"] })).toBe(true);
    expect(test({ resource: "prod-db" })).toBe(false);
    expect(test({ resource: "*" }, { ...base, resourceId: null })).toBe(false);
  });
});

describe("composites", () => {
  it("empty all is true, empty any is false, not negates", () => {
    expect(test({ all: [] })).toBe(true);
    expect(test({ any: [] })).toBe(false);
    expect(test({ not: { all: [] } })).toBe(false);
  });

  it.each([2, 3])("all and any short-circuit with %i children (the later branch is never read)", (n) => {
    const p1 = probe();
    const falsy = { field: "args.none", op: "exists" };
    const truthy = { field: "args.none", op: "exists", value: false };
    const rest = Array.from({ length: n - 1 }, () => ({ field: "args.probe", op: "eq", value: 1 }));
    expect(compile({ all: [falsy, ...rest] }).evaluate(p1.proposal, { risk: "low" })).toBe(false);
    expect(compile({ any: [truthy, ...rest] }).evaluate(p1.proposal, { risk: "low" })).toBe(true);
    expect(p1.reads()).toBe(0);
    expect(compile({ all: [truthy, ...rest] }).evaluate(p1.proposal, { risk: "low" })).toBe(true);
    expect(p1.reads()).toBe(n - 1);
  });

  it("is synchronous without evaluator leaves", () => {
    const c = compile({ all: [{ risk: "low", op: "ge" }, { not: { actions: ["x"] } }] });
    expect(c.async).toBe(false);
    expect(typeof c.evaluate(base, { risk: "low" })).toBe("boolean");
  });
});

describe("evaluator leaves", () => {
  function registryWith(calls: string[]): EvaluatorResolver {
    const evaluator = (type: string, allow: boolean | "throw"): Evaluator => ({
      type,
      evaluate: async () => {
        calls.push(type);
        if (allow === "throw") throw new Error("boom");
        return { allow, reason: type };
      },
    });
    const byName: Record<string, Evaluator> = {
      yes: evaluator("yes", true),
      no: evaluator("no", false),
      boom: evaluator("boom", "throw"),
    };
    return (name, config) => ({
      name,
      type: name,
      config: config ?? {},
      timeoutMs: 200,
      evaluator: byName[name]!,
    });
  }

  it("returns a Promise, short-circuits across async children and treats errors as false", async () => {
    const calls: string[] = [];
    const resolve = registryWith(calls);
    const tree = (node: ConditionNode | Record<string, unknown>) => compile(node, resolve);
    const c = tree({ all: [{ evaluator: "no" }, { evaluator: "yes" }] });
    expect(c.async).toBe(true);
    const r = c.evaluate(base, { risk: "low" });
    expect(r).toBeInstanceOf(Promise);
    expect(await r).toBe(false);
    expect(calls).toEqual(["no"]);
    expect(
      await tree({ any: [{ evaluator: "yes" }, { evaluator: "no" }] }).evaluate(base, { risk: "low" }),
    ).toBe(true);
    expect(calls).toEqual(["no", "yes"]);
    expect(await tree({ not: { evaluator: "boom" } }).evaluate(base, { risk: "low" })).toBe(true);
    expect(
      await tree({ all: [{ field: "args.amount", op: "gt", value: 1 }, { evaluator: "yes" }] }).evaluate(
        base,
        {
          risk: "low",
        },
      ),
    ).toBe(true);
    expect(
      await tree({ any: [{ field: "args.amount", op: "gt", value: 1 }, { evaluator: "no" }] }).evaluate(
        base,
        { risk: "low" },
      ),
    ).toBe(true);
    expect(calls).toEqual(["no", "yes", "boom", "yes"]);
  });
});
