import { describe, expect, it } from "vitest";
import { validateCondition } from "./validate-condition.js";

const issuesOf = (raw: unknown, options?: Parameters<typeof validateCondition>[1]) => {
  const r = validateCondition(raw, options);
  if (r.ok) throw new Error("expected validation to fail");
  return r.issues.map((i) => `${i.path}: ${i.message}`);
};

const nest = (depth: number): unknown => {
  let node: unknown = { field: "action", op: "eq", value: "x" };
  for (let i = 1; i < depth; i++) node = { all: [node] };
  return node;
};

describe("validateCondition", () => {
  it("normalises actions and fills leaf defaults", () => {
    const r = validateCondition({ all: [{ actions: [" Deploy "] }, { risk: "high" }] });
    expect(r.ok && r.node).toEqual({
      all: [
        { actions: ["deploy"], mode: "in" },
        { risk: "high", op: "eq" },
      ],
    });
  });

  it("accepts a tree exactly at the depth limit and rejects one level more, naming the path", () => {
    expect(validateCondition(nest(8)).ok).toBe(true);
    const issues = issuesOf(nest(9), { path: ["autoApprove", "when"] });
    expect(issues).toEqual([
      "autoApprove.when.all[0].all[0].all[0].all[0].all[0].all[0].all[0].all[0]: condition tree is deeper than 8 levels",
    ]);
  });

  it("counts not nodes toward the depth and honours a custom limit", () => {
    expect(validateCondition({ not: { not: { risk: "low" } } }, { maxDepth: 3 }).ok).toBe(true);
    expect(issuesOf({ not: { not: { risk: "low" } } }, { maxDepth: 2 })).toEqual([
      "not.not: condition tree is deeper than 2 levels",
    ]);
  });

  it("rejects a node with no kind key or with two kind keys", () => {
    expect(issuesOf({ op: "eq" })[0]).toMatch(/^: expected one of the keys all, any, not/);
    expect(issuesOf({ risk: "low", field: "action", op: "eq", value: "x" })).toEqual([
      ": ambiguous condition: keys risk and field cannot be combined in one node",
    ]);
  });

  it("reports every problem in a tree with its path", () => {
    const issues = issuesOf(
      {
        any: [
          { field: "args.amount", op: "between", value: 1 },
          { risk: "extreme" },
          { resource: [] },
          { all: "nope" },
          { field: "args.n", op: "in", value: 3 },
          { field: "args.s", op: "matches", value: "(" },
          { actions: ["a"], extra: true },
          { not: { field: "nope.x", op: "exists" } },
        ],
      },
      { path: ["when"] },
    );
    expect(issues).toEqual([
      expect.stringMatching(/^when\.any\[0\]\.op: expected "eq" \| "ne"/),
      expect.stringMatching(/^when\.any\[1\]\.risk: expected "low"/),
      "when.any[2].resource: expected at least 1 item(s)",
      "when.any[3].all: expected a list of conditions",
      'when.any[4].value: operator "in" needs a list value',
      expect.stringMatching(/^when\.any\[5\]\.value: invalid regular expression/),
      "when.any[6].extra: unknown key",
      expect.stringMatching(/^when\.any\[7\]\.not\.field: unknown field "nope"/),
    ]);
  });

  it("requires values that fit the operator", () => {
    expect(issuesOf({ field: "args.a", op: "eq" })).toEqual(['value: operator "eq" needs a scalar value']);
    expect(issuesOf({ field: "args.a", op: "gt", value: true })).toEqual([
      'value: operator "gt" needs a number (or string) value',
    ]);
    expect(issuesOf({ field: "args.a", op: "exists", value: "yes" })).toEqual([
      'value: operator "exists" takes true or false',
    ]);
    expect(issuesOf({ field: "action.x", op: "exists" })).toEqual([
      'field: field "action" has no sub-fields',
    ]);
  });

  it("forbids risk and evaluator leaves where the options say so", () => {
    expect(issuesOf({ risk: "low" }, { allowRisk: false })[0]).toMatch(/risk leaf cannot be used here/);
    expect(issuesOf({ evaluator: "list" }, { allowEvaluators: false })[0]).toMatch(
      /evaluator leaf cannot be used here/,
    );
  });

  it("collects evaluator references with their paths", () => {
    const r = validateCondition({ all: [{ evaluator: "pii", config: { strict: true } }] }, { path: ["w"] });
    expect(r.ok && r.evaluators).toEqual([{ path: "w.all[0]", evaluator: "pii", config: { strict: true } }]);
  });
});
