import { afterEach, describe, expect, it } from "vitest";
import { type ControlPlane, createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { markOutcomeUnknown } from "../../src/control-plane/kill-watch.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { createTelemetryRecorder, type DecisionSample } from "../../src/telemetry/telemetry-recorder.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { histogramCount, installOtel, metricValue, type OtelHarness, points } from "./otel-sdk.js";

let otel: OtelHarness | undefined;
let cp: ControlPlane | undefined;
afterEach(async () => {
  await cp?.close();
  await otel?.uninstall();
  otel = undefined;
});

/** Two allowed, one denied, one pending; one completion each way; a kill switch; one outcome_unknown. */
async function act(control: ControlPlane) {
  const s = await control.openSession({ budget: { maxCost: 100 } });
  const a = await control.propose({ sessionId: s.id, action: "read_file", resourceId: "a", cost: "1.25" });
  const b = await control.propose({ sessionId: s.id, action: "write_file", resourceId: "b", cost: 2 });
  const c = await control.propose({ sessionId: s.id, action: "read_file", resourceId: "c", cost: 1 });
  await control.propose({ sessionId: s.id, action: "delete_database" });
  await control.propose({ sessionId: s.id, action: "deploy" });
  await control.complete(a.proposalId, { ok: true });
  await control.complete(b.proposalId, { ok: false, error: "x" });
  await markOutcomeUnknown(control, c.proposalId);
  await control.kill({ scope: "agent", agentId: "other-bot", reason: "test" });
}

describe("OpenTelemetry metrics (meter agent-control-plane)", () => {
  it("count decisions by outcome and code, time them, count completions, and read the gauges", async () => {
    otel = installOtel();
    cp = await createControlPlane({ storage: createMemoryStorage(), policy: TEST_POLICY });
    await act(cp);
    const m = await otel.collect();
    expect(metricValue(m, "acp.decisions", { "acp.outcome": "allowed", "acp.code": "auto_approved" })).toBe(
      3,
    );
    expect(metricValue(m, "acp.decisions", { "acp.outcome": "denied", "acp.code": "blocked_action" })).toBe(
      1,
    );
    expect(metricValue(m, "acp.decisions", { "acp.outcome": "pending_approval" })).toBe(1);
    expect(points(m, "acp.decisions")).toHaveLength(3);
    expect(histogramCount(metricValue(m, "acp.decision.duration", { "acp.outcome": "allowed" }))).toBe(3);
    expect(histogramCount(metricValue(m, "acp.decision.duration", { "acp.outcome": "denied" }))).toBe(1);
    expect(metricValue(m, "acp.completions", { "acp.result": "succeeded" })).toBe(1);
    expect(metricValue(m, "acp.completions", { "acp.result": "failed" })).toBe(1);
    expect(metricValue(m, "acp.tickets.pending")).toBe(1);
    expect(metricValue(m, "acp.kill_switches.engaged")).toBe(1);
    expect(metricValue(m, "acp.proposals.outcome_unknown")).toBe(1);
    // Reserved 1.25 + 2 + 1; the failed completion keeps its estimated cost (no actual cost given).
    expect(metricValue(m, "acp.budget.used.cost")).toBe(4.25);
    expect(metricValue(m, "acp.budget.used.actions")).toBe(3);
    // The gauges follow the storage: the ticket is decided, the switch released.
    const [pending] = await cp.listTickets({ statuses: ["pending"] });
    await cp.deny(pending!.id, { decidedBy: "alice" });
    await cp.resume({ scope: "agent", agentId: "other-bot" });
    const later = await otel.collect();
    expect(metricValue(later, "acp.tickets.pending")).toBe(0);
    expect(metricValue(later, "acp.kill_switches.engaged")).toBe(0);
  });

  it("attach to an SDK registered after the control plane was created", async () => {
    cp = await createControlPlane({ storage: createMemoryStorage(), policy: TEST_POLICY });
    const s = await cp.openSession({});
    await cp.propose({ sessionId: s.id, action: "read_file" }); // no SDK yet: not counted anywhere
    otel = installOtel();
    await cp.propose({ sessionId: s.id, action: "read_file" });
    await cp.propose({ sessionId: s.id, action: "read_file" });
    const m = await otel.collect();
    expect(metricValue(m, "acp.decisions", { "acp.code": "auto_approved" })).toBe(2);
    expect(otel.named("acp.propose")).toHaveLength(2);
  });

  it("a recorder receives every decision and completion, with or without OpenTelemetry", async () => {
    const recorder = createTelemetryRecorder();
    const seen: DecisionSample[] = [];
    const completions: boolean[] = [];
    const stop = recorder.subscribe({
      decision: (d) => seen.push(d),
      completion: ({ ok }) => completions.push(ok),
    });
    recorder.subscribe({
      decision() {
        throw new Error("a broken sink");
      },
      completion() {},
    });
    cp = await createControlPlane({
      storage: createMemoryStorage(),
      policy: TEST_POLICY,
      telemetry: { openTelemetry: false, recorder },
    });
    await act(cp);
    expect(seen.map((d) => `${d.outcome}/${d.code}`)).toEqual([
      "allowed/auto_approved",
      "allowed/auto_approved",
      "allowed/auto_approved",
      "denied/blocked_action",
      "pending_approval/approval_required",
    ]);
    expect(seen.every((d) => d.seconds > 0 && d.seconds < 60)).toBe(true);
    expect(completions).toEqual([true, false]);
    stop();
    const s = await cp.openSession({});
    await cp.propose({ sessionId: s.id, action: "read_file" });
    expect(seen).toHaveLength(5);
  });
});
