import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/engines/policy/load-policy.js";
import { policyProblems } from "../support/policy-problems.js";

const problems = policyProblems;

describe("policy section models", () => {
  it("loads, fills defaults and drops duplicates", () => {
    const p = loadPolicy({
      version: 1,
      models: { tiers: { "gpt-4o": "premium" }, allow: { auto_approve: ["standard", "standard"] } },
    });
    expect(p.document.models).toEqual({
      tiers: { "gpt-4o": "premium" },
      allow: { auto_approve: ["standard"] },
      overrides: {},
    });
  });

  it("keeps the policy id of documents without the section", () => {
    expect(loadPolicy({ version: 1 }).id).toBe(loadPolicy({ version: 1, models: undefined }).id);
    expect(loadPolicy({ version: 1, models: {} }).id).not.toBe(loadPolicy({ version: 1 }).id);
  });

  it("names each bad path, with did-you-mean for misspelt keys", () => {
    expect(
      problems({
        models: {
          tiers: { "gpt-4o": "gold" },
          allow: { autoApprove: ["standard"], always_approve: ["premium", "platinum"] },
          overides: {},
        },
      }),
    ).toEqual([
      'models.tiers.gpt-4o: expected "standard" | "premium" | "restricted", got "gold"',
      'models.allow.always_approve[1]: expected "standard" | "premium" | "restricted", got "platinum"',
      'models.overides: unknown key (did you mean "overrides"?); allowed: tiers, allow, overrides',
      'models.allow.autoApprove: unknown key (did you mean "auto_approve"?); allowed: auto_approve, always_approve, unrestricted',
    ]);
  });

  it("suggests the section for a misspelt top-level key", () => {
    expect(problems({ model: {} })[0]).toMatch(/^model: unknown key \(did you mean "models"\?\)/);
  });

  it("rejects an override that is not a list of model ids", () => {
    expect(problems({ models: { overrides: { alice: "gpt-4o" } } })).toEqual([
      "models.overrides.alice: expected a list, got a string",
    ]);
  });
});
