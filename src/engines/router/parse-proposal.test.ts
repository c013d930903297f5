import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors/validation-error.js";
import { parseProposal } from "./parse-proposal.js";

function problems(input: unknown): string[] {
  try {
    parseProposal(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe("validation_failed");
    return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected parseProposal to throw");
}

describe("parseProposal", () => {
  it("normalises the action, defaults optional fields and converts the cost", () => {
    expect(parseProposal({ sessionId: "s1", action: "  Send_Email ", cost: "12.50" })).toEqual({
      sessionId: "s1",
      agentId: null,
      action: "send_email",
      resourceId: null,
      resourceType: null,
      args: {},
      costMicros: 12_500_000,
      cost: 12.5,
      metadata: {},
      model: null,
    });
    const full = parseProposal({
      sessionId: "s1",
      agentId: "a",
      action: "x",
      resourceId: "r",
      resourceType: "t",
      args: { n: [1, { b: null }] },
      metadata: { env: "prod" },
      cost: 0.1,
      idempotencyKey: "k",
    });
    expect(full).toMatchObject({
      agentId: "a",
      resourceId: "r",
      resourceType: "t",
      costMicros: 100_000,
      metadata: { env: "prod" },
    });
  });

  it("names every bad field in one error", () => {
    expect(
      problems({
        sessionId: "",
        action: "   ",
        agentId: 3,
        resourceId: "",
        args: { ok: 1, bad: Number.NaN, list: [1, () => 0], when: new Date(0) },
        metadata: [],
        cost: "-1",
        resourceID: "typo",
      }),
    ).toEqual([
      'resourceID: unknown key (did you mean "resourceId"?); allowed: sessionId, agentId, action, resourceId, resourceType, args, cost, metadata, idempotencyKey, model',
      "sessionId: required: expected a non-empty string",
      "action: required: expected a non-empty string",
      "agentId: expected a non-empty string",
      "resourceId: expected a non-empty string",
      "args.bad: expected a finite number",
      "metadata: expected a JSON object",
      "cost: expected a non-negative amount",
    ]);
  });

  it("rejects non-objects and too-precise costs", () => {
    expect(problems(null)).toEqual([": expected a proposal object"]);
    expect(problems({ sessionId: "s", action: "a", cost: "0.0000001" })).toEqual([
      "cost: expected a decimal amount with at most 6 fractional digits",
    ]);
  });

  it("rejects JSON nested too deeply", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = { d: deep };
    expect(problems({ sessionId: "s", action: "a", args: deep as Record<string, unknown> })[0]).toMatch(
      /nested deeper than 64 levels/,
    );
  });
});

describe("parseProposal: the model call", () => {
  it("normalises a model call: trimmed id, identity fields null when absent, cost in micros", () => {
    const p = parseProposal({
      sessionId: "s",
      action: "llm_call",
      model: {
        model: " gpt-4o ",
        identity: { orgId: "acme" },
        inputTokens: 1200,
        outputTokens: 400,
        cost: "0.01",
      },
    });
    expect(p.model).toEqual({
      model: "gpt-4o",
      identity: { userId: null, orgId: "acme", teamId: null },
      inputTokens: 1200,
      outputTokens: 400,
      costMicros: 10_000,
    });
  });

  it("names every bad field of a model call", () => {
    expect(
      problems({
        sessionId: "s",
        action: "llm_call",
        model: { model: "", inputTokens: -1, outputTokens: 1.5, identity: { orgID: "x" }, cost: "abc" },
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^model\.model: /),
        expect.stringMatching(/^model\.inputTokens: /),
        expect.stringMatching(/^model\.outputTokens: /),
        expect.stringMatching(/^model\.identity\.orgID: unknown key \(did you mean "orgId"\?\)/),
        expect.stringMatching(/^model\.cost: /),
      ]),
    );
  });
});
