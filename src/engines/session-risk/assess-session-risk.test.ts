import { describe, expect, it } from "vitest";
import type { RiskLevel } from "../../types/risk.js";
import {
  EMPTY_SESSION_RISK,
  type SessionRiskPolicy,
  type SessionRiskState,
} from "../../types/session-risk.js";
import { assessSessionRisk, matchesPattern, riskHistoryLength } from "./assess-session-risk.js";

const policy = (
  patterns: SessionRiskPolicy["patterns"] = [],
  thresholds = { medium: 5, high: 10 },
): SessionRiskPolicy => ({
  scores: { low: 1, medium: 3, high: 5, critical: 10 },
  thresholds,
  patterns,
});

const exfil = {
  name: "exfiltration",
  sequence: ["read_database", "send_email"],
  window: 10,
  escalateTo: "high",
} as const;

/** Runs the actions one by one, returning each assessment. */
function run(
  p: SessionRiskPolicy,
  steps: readonly (readonly [string, RiskLevel])[],
  from: SessionRiskState = EMPTY_SESSION_RISK,
) {
  let state = from;
  return steps.map(([action, risk]) => {
    const a = assessSessionRisk(p, state, action, risk);
    state = a.state;
    return a;
  });
}

describe("assessSessionRisk: scores and thresholds", () => {
  it("adds low 1, medium 3, high 5 by the proposal's own risk", () => {
    const out = run(policy(), [
      ["a", "low"],
      ["b", "medium"],
      ["c", "high"],
    ]);
    expect(out.map((a) => a.state.score)).toEqual([1, 4, 9]);
    expect(out.map((a) => a.state.actionCount)).toEqual([1, 2, 3]);
  });

  it("raises to medium at exactly thresholds.medium and to high at exactly thresholds.high", () => {
    const lows = run(
      policy(),
      Array.from({ length: 10 }, () => ["x", "low"] as const),
    );
    expect(lows.map((a) => a.risk)).toEqual([
      "low",
      "low",
      "low",
      "low",
      "medium",
      "medium",
      "medium",
      "medium",
      "medium",
      "high",
    ]);
    expect(lows[3]!.escalated).toBe(false);
    expect(lows[4]).toMatchObject({ escalated: true, originalRisk: "low", risk: "medium" });
    expect(lows[4]!.reasons).toEqual(["session score 5 >= thresholds.medium 5"]);
    expect(lows[9]!.reasons).toEqual(["session score 10 >= thresholds.high 10"]);
  });

  it("never lowers a proposal's own risk, and is not an escalation when the score level is not above it", () => {
    const [, second] = run(policy(), [
      ["x", "high"],
      ["y", "high"],
    ]);
    expect(second).toMatchObject({ risk: "high", escalated: false, reasons: [] });
    const [critical] = run(policy(), [["z", "critical"]]);
    expect(critical).toMatchObject({ risk: "critical", escalated: false });
  });

  it("uses the policy's own scores and thresholds", () => {
    const p: SessionRiskPolicy = {
      ...policy([], { medium: 2, high: 3 }),
      scores: { low: 2, medium: 3, high: 5, critical: 10 },
    };
    expect(
      run(p, [
        ["a", "low"],
        ["b", "low"],
      ]).map((a) => a.risk),
    ).toEqual(["medium", "high"]);
  });
});

describe("assessSessionRisk: sequence patterns", () => {
  it("escalates the second action of read_database → send_email to high", () => {
    const [first, second] = run(policy([exfil]), [
      ["read_database", "low"],
      ["send_email", "low"],
    ]);
    expect(first).toMatchObject({ risk: "low", escalated: false, matchedPatterns: [] });
    expect(second).toMatchObject({ risk: "high", escalated: true, matchedPatterns: ["exfiltration"] });
    expect(second!.reasons[0]).toContain("pattern exfiltration");
    expect(second!.state.detectedPatterns).toEqual(["exfiltration"]);
  });

  it("matches only a contiguous sequence: another action in between breaks it", () => {
    const out = run(policy([exfil]), [
      ["read_database", "low"],
      ["list_files", "low"],
      ["send_email", "low"],
    ]);
    expect(out[2]).toMatchObject({ risk: "low", escalated: false });
  });

  it("matches in order only", () => {
    const out = run(policy([exfil]), [
      ["send_email", "low"],
      ["read_database", "low"],
    ]);
    expect(out.map((a) => a.escalated)).toEqual([false, false]);
  });

  it("keeps escalating while the sequence lies in the window, and stops once it slides out", () => {
    const p = policy([{ ...exfil, window: 3 }]);
    const out = run(p, [
      ["read_database", "low"],
      ["send_email", "low"], // window [r, s]
      ["noop", "low"], // window [r, s, n]
      ["noop", "low"], // window [s, n, n]: r slid out
    ]);
    expect(out.map((a) => a.risk)).toEqual(["low", "high", "high", "low"]);
    expect(out[3]!.state.detectedPatterns).toEqual(["exfiltration"]);
  });

  it("keeps only as many recent actions as the longest window (none without patterns)", () => {
    const p = policy([
      { ...exfil, window: 3 },
      { name: "b", sequence: ["x"], window: 2, escalateTo: "medium" },
    ]);
    expect(riskHistoryLength(p)).toBe(3);
    const out = run(p, [
      ["a", "low"],
      ["b", "low"],
      ["c", "low"],
      ["d", "low"],
    ]);
    expect(out[3]!.state.recentActions).toEqual(["b", "c", "d"]);
    expect(run(policy(), [["a", "low"]])[0]!.state.recentActions).toEqual([]);
  });

  it("takes the highest of own risk, score level and every matching pattern", () => {
    const p = policy([
      { name: "m", sequence: ["send_email"], window: 1, escalateTo: "medium" },
      { ...exfil, escalateTo: "critical" },
    ]);
    const out = run(p, [
      ["read_database", "low"],
      ["send_email", "low"],
    ]);
    expect(out[1]).toMatchObject({ risk: "critical", matchedPatterns: ["m", "exfiltration"] });
  });

  it("matchesPattern looks only at the last `window` entries", () => {
    expect(matchesPattern({ ...exfil, window: 2 }, ["read_database", "send_email", "x"])).toBe(false);
    expect(matchesPattern({ ...exfil, window: 3 }, ["read_database", "send_email", "x"])).toBe(true);
  });
});
