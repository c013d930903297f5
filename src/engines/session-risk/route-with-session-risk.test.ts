import { describe, expect, it } from "vitest";
import type { RoutingDecision } from "../../types/decision.js";
import { EMPTY_SESSION_RISK } from "../../types/session-risk.js";
import { loadPolicy } from "../policy/load-policy.js";
import { parseProposal } from "../router/parse-proposal.js";
import { routeProposal } from "../router/route-proposal.js";
import { assessSessionRisk } from "./assess-session-risk.js";

const policy = loadPolicy({
  version: 1,
  actions: {
    autoApprove: ["read_database", "send_email"],
    blocked: ["drop_table"],
    unrestricted: ["log_note"],
    unlisted: "risk",
  },
  autoApprove: { maxRisk: "medium" },
  sessionRisk: {
    patterns: [
      { name: "exfil", sequence: ["read_database", "send_email"], window: 5, escalateTo: "high" },
      { name: "probe", sequence: ["read_database", "whoami"], window: 5, escalateTo: "medium" },
      { name: "reread", sequence: ["send_email", "read_database"], window: 5, escalateTo: "medium" },
    ],
  },
});

/** Routes `action` after `history`, with the session risk assessed as the pipeline does. */
function route(history: readonly string[], action: string, agent?: null): RoutingDecision {
  let state = EMPTY_SESSION_RISK;
  for (const a of history) state = assessSessionRisk(policy.document.sessionRisk!, state, a, "low").state;
  const assessment = assessSessionRisk(policy.document.sessionRisk!, state, action, "low");
  const d = routeProposal(policy, parseProposal({ sessionId: "s", action, agentId: "a1" }), {
    sessionRisk: assessment,
    ...(agent === null ? { agent } : {}),
  });
  if (d instanceof Promise) throw new Error("expected a synchronous decision");
  return d;
}

describe("routing with the session risk (before the tier)", () => {
  it("an escalation above autoApprove.maxRisk turns auto-approval into approval", () => {
    expect(route([], "send_email")).toMatchObject({ verdict: "allow", riskLevel: "low" });
    expect(route(["read_database"], "send_email")).toMatchObject({
      verdict: "approve",
      tier: "always_approve",
      riskLevel: "high",
    });
  });

  it("an escalation within autoApprove.maxRisk still auto-approves, reporting the escalated risk", () => {
    expect(route(["send_email"], "read_database")).toMatchObject({
      verdict: "allow",
      tier: "auto_approve",
      riskLevel: "medium",
    });
  });

  it("unlisted: risk auto-decides low risk only: a medium escalation asks a human", () => {
    expect(route([], "whoami")).toMatchObject({ verdict: "allow", tier: "auto_approve" });
    expect(route(["read_database"], "whoami")).toMatchObject({ verdict: "approve", riskLevel: "medium" });
  });

  it("does not change the list tiers that do not depend on risk", () => {
    expect(route(["read_database", "send_email"], "drop_table")).toMatchObject({
      verdict: "deny",
      code: "blocked_action",
    });
    expect(route(["read_database", "send_email"], "log_note")).toMatchObject({
      verdict: "allow",
      code: "unrestricted",
    });
  });

  it("shows the escalation in the trace right after the risk entry, also for an identity denial", () => {
    const d = route(["read_database"], "send_email");
    const steps = d.trace.map((t) => t.step);
    expect(steps.indexOf("session_risk")).toBe(steps.indexOf("risk") + 1);
    const denied = route(["read_database"], "send_email", null);
    expect(denied).toMatchObject({ verdict: "deny", code: "unknown_agent", riskLevel: "high" });
    expect(denied.trace.map((t) => t.step)).toContain("session_risk");
  });
});
