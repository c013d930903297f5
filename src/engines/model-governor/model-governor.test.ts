import { describe, expect, it } from "vitest";
import type { ModelsPolicy } from "../../types/model-governance.js";
import { allowedModels, checkModelAccess, classifyModelTier } from "./model-governor.js";

const models: ModelsPolicy = {
  tiers: { "gpt-4o-mini": "standard", "gpt-4o": "premium", "o1-pro": "restricted" },
  allow: { auto_approve: ["standard"], always_approve: ["standard", "premium"] },
  overrides: { alice: ["o1-pro"], nobody: [] },
};

describe("model governor (the original's rules)", () => {
  it("classifies a model by its assignment, an unassigned one as standard", () => {
    expect(classifyModelTier(models, "gpt-4o")).toBe("premium");
    expect(classifyModelTier(models, "some-new-model")).toBe("standard");
  });

  it("restricts each action tier to its model tiers", () => {
    expect(checkModelAccess(models, "gpt-4o-mini", "auto_approve").allowed).toBe(true);
    const premium = checkModelAccess(models, "gpt-4o", "auto_approve");
    expect(premium).toMatchObject({ allowed: false, modelTier: "premium", rule: "tier" });
    expect(premium.reason).toContain("model tier premium");
    expect(checkModelAccess(models, "gpt-4o", "always_approve").allowed).toBe(true);
    expect(checkModelAccess(models, "o1-pro", "always_approve").allowed).toBe(false);
    expect(checkModelAccess(models, "unknown-model", "auto_approve").allowed).toBe(true); // standard
  });

  it("allows every model for an action tier without a list, and none for an empty list", () => {
    expect(checkModelAccess(models, "o1-pro", "unrestricted")).toMatchObject({ allowed: true, rule: "none" });
    const empty: ModelsPolicy = { ...models, allow: { unrestricted: [] } };
    expect(checkModelAccess(empty, "gpt-4o-mini", "unrestricted").allowed).toBe(false);
  });

  it("an override REPLACES the tier rules, in both directions", () => {
    // alice may use the restricted model even in an auto_approve proposal...
    expect(checkModelAccess(models, "o1-pro", "auto_approve", { userId: "alice" })).toMatchObject({
      allowed: true,
      rule: "override",
    });
    // ...but not the standard model the tier allows everyone else.
    expect(checkModelAccess(models, "gpt-4o-mini", "auto_approve", { userId: "alice" }).allowed).toBe(false);
    expect(checkModelAccess(models, "gpt-4o-mini", "auto_approve", { userId: "nobody" }).allowed).toBe(false);
    expect(checkModelAccess(models, "gpt-4o-mini", "auto_approve", { userId: "bob" }).allowed).toBe(true);
    expect(checkModelAccess(models, "gpt-4o-mini", "auto_approve", { userId: null }).allowed).toBe(true);
  });

  it("never lets a blocked or steered proposal call a model", () => {
    expect(checkModelAccess(models, "gpt-4o-mini", "blocked").allowed).toBe(false);
    expect(checkModelAccess(models, "gpt-4o-mini", "steer").allowed).toBe(false);
  });

  it("lists the allowed models named in the policy", () => {
    expect(allowedModels(models, "auto_approve")).toEqual(["gpt-4o-mini"]);
    expect(allowedModels(models, "always_approve")).toEqual(["gpt-4o-mini", "gpt-4o"]);
    expect(allowedModels(models, "unrestricted")).toEqual(["gpt-4o-mini", "gpt-4o", "o1-pro"]);
    expect(allowedModels(models, "auto_approve", { userId: "alice" })).toEqual(["o1-pro"]);
  });
});
