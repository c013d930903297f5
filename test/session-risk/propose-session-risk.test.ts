import { describe, expect, it } from "vitest";
import { TEST_POLICY, useControlPlane } from "../support/control-plane-fixture.js";
import { withAllStorageCases } from "../support/postgres-case.js";
import { RISK_POLICY } from "./risk-policy.js";

const cases = await withAllStorageCases();

describe.each(cases)("session risk in propose on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase, { policy: RISK_POLICY });

  it("read_database then send_email: the second needs a human, with the escalation in trace and events", async () => {
    const { cp, storage } = h();
    const s = await cp.openSession();
    const read = await cp.propose({ sessionId: s.id, action: "read_database" });
    expect(read).toMatchObject({ outcome: "allowed", code: "auto_approved", riskLevel: "low" });
    expect(read.trace).toContainEqual({ step: "session_risk", result: "ok", detail: "score 1, risk low" });
    const send = await cp.propose({ sessionId: s.id, action: "send_email" });
    expect(send).toMatchObject({
      outcome: "pending_approval",
      code: "approval_required",
      riskLevel: "high",
      tier: "always_approve",
    });
    const entry = send.trace.find((t) => t.step === "session_risk");
    expect(entry).toMatchObject({ result: "escalated" });
    expect(entry!.detail).toMatch(/^low → high: pattern exfiltration/);
    // The escalation is evaluated before the tier: its entry precedes the tier's.
    const steps = send.trace.map((t) => t.step);
    expect(steps.indexOf("session_risk")).toBeLessThan(steps.indexOf("tier"));

    const events = await cp.events(s.id);
    const escalated = events.filter((e) => e.kind === "session_risk_escalated");
    expect(escalated).toHaveLength(1);
    expect(escalated[0]!.payload).toEqual({
      action: "send_email",
      originalRisk: "low",
      escalatedRisk: "high",
      reasons: [expect.stringContaining("pattern exfiltration")],
      score: 2,
      patterns: ["exfiltration"],
    });
    // The escalation is recorded before the decision it caused.
    const decided = events.filter((e) => e.kind === "proposal_decided").at(-1)!;
    expect(escalated[0]!.seq!).toBeLessThan(decided.seq!);

    const stored = await storage.read((tx) => tx.sessionRisk.get(s.id));
    expect(stored?.state).toEqual({
      score: 2,
      actionCount: 2,
      recentActions: ["read_database", "send_email"],
      detectedPatterns: ["exfiltration"],
      level: "high",
    });
  });

  it("an action in between breaks the pattern (contiguous only)", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    for (const action of ["read_database", "list_files", "send_email"]) {
      expect(await cp.propose({ sessionId: s.id, action })).toMatchObject({ outcome: "allowed" });
    }
    expect((await cp.events(s.id)).some((e) => e.kind === "session_risk_escalated")).toBe(false);
  });

  it("the score reaching thresholds.medium makes every later action need a human", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++)
      outcomes.push((await cp.propose({ sessionId: s.id, action: "log_note" })).outcome);
    // unrestricted actions are not decided by risk: they stay allowed...
    expect(outcomes).toEqual(Array(6).fill("allowed"));
    // ...but they count, and an auto-approvable action now needs a human (score 7 >= 5: medium > maxRisk low).
    const d = await cp.propose({ sessionId: s.id, action: "list_files", resourceId: "x" });
    expect(d).toMatchObject({ outcome: "pending_approval", riskLevel: "medium" });
  });

  it("keeps each session's risk apart", async () => {
    const { cp } = h();
    const a = await cp.openSession();
    const b = await cp.openSession();
    await cp.propose({ sessionId: a.id, action: "read_database" });
    expect(await cp.propose({ sessionId: b.id, action: "send_email" })).toMatchObject({ outcome: "allowed" });
  });

  it("a retry of a pending proposal is not counted again", async () => {
    const { cp, storage } = h();
    const s = await cp.openSession();
    await cp.propose({ sessionId: s.id, action: "read_database" });
    const first = await cp.propose({ sessionId: s.id, action: "send_email" });
    const again = await cp.propose({ sessionId: s.id, action: "send_email" });
    expect(again.outcome).toBe("pending_approval");
    expect(again.proposalId).toBe(first.proposalId);
    expect((await storage.read((tx) => tx.sessionRisk.get(s.id)))?.state.actionCount).toBe(2);
  });
});

describe.each(cases)("session risk with evaluators (two transactions) on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase, {
    policy: {
      ...RISK_POLICY,
      evaluators: [{ name: "no-shell", type: "list", config: { blocklist: ["shell"] } }],
    },
  });

  it("assesses once and still escalates", async () => {
    const { cp, storage } = h();
    const s = await cp.openSession();
    expect(await cp.propose({ sessionId: s.id, action: "read_database" })).toMatchObject({
      outcome: "allowed",
    });
    const send = await cp.propose({ sessionId: s.id, action: "send_email" });
    expect(send).toMatchObject({ outcome: "pending_approval", riskLevel: "high" });
    expect(send.trace.map((t) => t.step)).toContain("evaluators");
    expect((await storage.read((tx) => tx.sessionRisk.get(s.id)))?.state.actionCount).toBe(2);
  });
});

describe.each(cases)("without a sessionRisk section on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase, { policy: TEST_POLICY });

  it("stores nothing and adds no trace entry", async () => {
    const { cp, storage } = h();
    const s = await cp.openSession();
    const d = await cp.propose({ sessionId: s.id, action: "read_file" });
    expect(d.trace.some((t) => t.step === "session_risk")).toBe(false);
    expect(await storage.read((tx) => tx.sessionRisk.get(s.id))).toBeUndefined();
  });
});
