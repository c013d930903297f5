import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/engines/policy/load-policy.js";
import { policyProblems } from "../support/policy-problems.js";

const problems = policyProblems;

describe("policy section sessionRisk", () => {
  it("fills the original's defaults and normalises sequence action names", () => {
    const p = loadPolicy({
      version: 1,
      sessionRisk: { patterns: [{ name: "exfil", sequence: [" Read_Database ", "send_email"] }] },
    });
    expect(p.document.sessionRisk).toEqual({
      scores: { low: 1, medium: 3, high: 5, critical: 10 },
      thresholds: { medium: 5, high: 10 },
      patterns: [
        { name: "exfil", sequence: ["read_database", "send_email"], window: 10, escalateTo: "high" },
      ],
    });
  });

  it("names each bad path, with did-you-mean for misspelt keys", () => {
    expect(
      problems({
        sessionRisk: {
          scores: { low: -1 },
          thresholds: { medium: 12, high: 10 },
          patterns: [
            { name: "a", sequence: ["x", "y", "z"], window: 2 },
            { name: "a", sequence: [], escalate_to: "high" },
          ],
          treshold: {},
        },
      }),
    ).toEqual([
      "sessionRisk.scores.low: expected a number >= 0",
      "sessionRisk.patterns[1].sequence: expected at least 1 item(s)",
      'sessionRisk.treshold: unknown key (did you mean "thresholds"?); allowed: scores, thresholds, patterns',
      "sessionRisk.thresholds.medium: must not be above thresholds.high (12 > 10)",
      "sessionRisk.patterns[0].window: window 2 is shorter than the sequence (3 actions): the pattern could never match",
      'sessionRisk.patterns[1].escalate_to: unknown key (did you mean "escalateTo"?); allowed: name, description, sequence, window, escalateTo',
      'sessionRisk.patterns[1].name: duplicate pattern name "a"',
    ]);
  });

  it("suggests the section for a snake_case top-level key", () => {
    expect(problems({ session_risk: {} })[0]).toMatch(
      /^session_risk: unknown key \(did you mean "sessionRisk"\?\)/,
    );
  });
});
