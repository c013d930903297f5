import { describe, expect, it } from "vitest";
import { useControlPlane } from "../support/control-plane-fixture.js";
import { withAllStorageCases } from "../support/postgres-case.js";

const POLICY = {
  version: 1,
  actions: { autoApprove: ["chat"], alwaysApprove: ["draft_contract"], unrestricted: ["summarize"] },
  models: {
    tiers: { "gpt-4o-mini": "standard", "gpt-4o": "premium", "o1-pro": "restricted" },
    allow: { auto_approve: ["standard"], always_approve: ["standard", "premium"] },
    overrides: { alice: ["o1-pro"] },
  },
} as const;

const call = (model: string, userId?: string) => ({
  model,
  ...(userId === undefined ? {} : { identity: { userId } }),
  inputTokens: 100,
  outputTokens: 50,
});

const cases = await withAllStorageCases();

describe.each(cases)("model governor in propose on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase, { policy: POLICY });

  it("denies a model tier the action tier may not use, with model_not_allowed, and records it", async () => {
    const { cp } = h();
    const s = await cp.openSession({ budget: { maxActions: 10 } });
    const ok = await cp.propose({ sessionId: s.id, action: "chat", model: call("gpt-4o-mini") });
    expect(ok).toMatchObject({ outcome: "allowed", code: "auto_approved" });
    expect(ok.trace).toContainEqual(expect.objectContaining({ step: "model", result: "allowed" }));

    const denied = await cp.propose({ sessionId: s.id, action: "chat", model: call("gpt-4o") });
    expect(denied).toMatchObject({ outcome: "denied", code: "model_not_allowed", tier: "blocked" });
    expect(denied.reason).toContain("model tier premium");
    expect(denied.trace).toContainEqual(
      expect.objectContaining({ step: "model", result: "model_not_allowed" }),
    );
    const decided = (await cp.events(s.id)).filter((e) => e.kind === "proposal_decided").at(-1)!;
    expect(decided.payload).toMatchObject({ outcome: "denied", code: "model_not_allowed" });
    // A refused model call reserves nothing.
    expect((await cp.getSession(s.id)).budget.usedActions).toBe(1);
  });

  it("checks before asking a human: a premium model may go to approval, a restricted one is denied", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    expect(
      await cp.propose({ sessionId: s.id, action: "draft_contract", model: call("gpt-4o") }),
    ).toMatchObject({
      outcome: "pending_approval",
    });
    expect(
      await cp.propose({ sessionId: s.id, action: "draft_contract", model: call("o1-pro") }),
    ).toMatchObject({ outcome: "denied", code: "model_not_allowed" });
  });

  it("an override replaces the tier rules for its user", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    expect(
      await cp.propose({ sessionId: s.id, action: "chat", model: call("o1-pro", "alice") }),
    ).toMatchObject({
      outcome: "allowed",
    });
    expect(
      await cp.propose({ sessionId: s.id, action: "chat", model: call("gpt-4o-mini", "alice") }),
    ).toMatchObject({ outcome: "denied", code: "model_not_allowed" });
    expect(
      await cp.propose({ sessionId: s.id, action: "chat", model: call("gpt-4o-mini", "bob") }),
    ).toMatchObject({
      outcome: "allowed",
    });
  });

  it("leaves proposals without a model call, and action tiers without a list, alone", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    expect(await cp.propose({ sessionId: s.id, action: "chat" })).toMatchObject({ outcome: "allowed" });
    expect(await cp.propose({ sessionId: s.id, action: "summarize", model: call("o1-pro") })).toMatchObject({
      outcome: "allowed",
      code: "unrestricted",
    });
  });
});
