import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RoutingDecision } from "../../types/decision.js";
import { RISK_LEVELS } from "../../types/risk.js";
import { loadPolicy } from "../policy/load-policy.js";
import { parseProposal } from "./parse-proposal.js";
import { routeProposal } from "./route-proposal.js";

const NAMES = ["read", "write", "ban", "unban", "deploy", "delete", "pay", "ping"];
const name = fc.constantFrom(...NAMES);
const spelled = (n: string) => fc.constantFrom(n, n.toUpperCase(), ` ${n} `);
const list = fc.uniqueArray(name, { maxLength: 4 });
const level = fc.constantFrom(...RISK_LEVELS);

const leaf = fc.oneof(
  fc.record({
    field: fc.constantFrom("args.amount", "cost"),
    op: fc.constantFrom("lt", "le", "gt", "ge"),
    value: fc.integer({ min: 0, max: 200 }),
  }),
  fc.record({ risk: level, op: fc.constantFrom("eq", "ne", "lt", "le", "gt", "ge") }),
  fc.record({ actions: list, mode: fc.constantFrom("in", "not_in") }),
  fc.record({ resource: fc.constantFrom("prod-*", "db-?", "*") }),
);
const tree = fc.oneof(
  leaf,
  fc.record({ all: fc.array(leaf, { maxLength: 3 }) }),
  fc.record({ any: fc.array(leaf, { maxLength: 3 }) }),
  fc.record({ not: leaf }),
);
const ruleWhen = tree.filter((t) => !JSON.stringify(t).includes('"risk"'));

const policyDoc = fc.record({
  version: fc.constant(1),
  executionMode: fc.constantFrom("live", "dry_run"),
  actions: fc.record({
    blocked: list,
    alwaysApprove: list,
    autoApprove: list,
    steer: list,
    unrestricted: list,
    unlisted: fc.constantFrom("deny", "approve", "risk"),
  }),
  risk: fc.record({
    default: level,
    rules: fc.array(fc.record({ when: ruleWhen, level }), { maxLength: 4 }),
  }),
  assets: fc.record({
    patterns: fc.constantFrom([], ["prod-*"]),
    scope: fc.constantFrom("all", "matched_only"),
  }),
  autoApprove: fc.record(
    { maxRisk: level, dryRunOnly: fc.boolean(), when: tree },
    { requiredKeys: ["maxRisk", "dryRunOnly"] },
  ),
});

const proposalInput = fc.record({
  sessionId: fc.constant("s"),
  action: name.chain(spelled),
  resourceId: fc.option(fc.constantFrom("prod-1", "db-1", "x"), { nil: undefined }),
  args: fc.record({ amount: fc.integer({ min: 0, max: 200 }) }),
  cost: fc.integer({ min: 0, max: 200 }),
});

const sync = (d: RoutingDecision | Promise<RoutingDecision>): RoutingDecision => {
  if (d instanceof Promise) throw new Error("expected a synchronous decision");
  return d;
};

describe("decision properties", () => {
  it("a blocked action, or an unlisted one with unlisted: deny, is never allowed", () => {
    fc.assert(
      fc.property(policyDoc, proposalInput, (doc, input) => {
        const policy = loadPolicy(doc);
        const p = parseProposal(input);
        const d = sync(routeProposal(policy, p));
        const listed = Object.entries(doc.actions).some(
          ([k, v]) => k !== "unlisted" && (v as string[]).includes(p.action),
        );
        if (doc.actions.blocked.includes(p.action)) {
          expect(d).toMatchObject({ verdict: "deny", code: "blocked_action", tier: "blocked" });
        }
        if (!listed && doc.actions.unlisted === "deny") {
          expect(d.verdict).toBe("deny");
          expect(d.code).toBe("unlisted_action");
        }
        if (d.verdict === "allow") {
          expect(listed || doc.actions.unlisted === "risk").toBe(true);
          expect(doc.actions.blocked).not.toContain(p.action);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("is deterministic for the same policy and proposal, also after reloading the policy's document", () => {
    fc.assert(
      fc.property(policyDoc, proposalInput, (doc, input) => {
        const policy = loadPolicy(doc);
        const reloaded = loadPolicy(JSON.parse(JSON.stringify(policy.document)));
        expect(reloaded.id).toBe(policy.id);
        const first = sync(routeProposal(policy, parseProposal(input)));
        expect(sync(routeProposal(policy, parseProposal(input)))).toEqual(first);
        expect(sync(routeProposal(reloaded, parseProposal(input)))).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });
});
