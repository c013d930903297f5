import type { HealthSnapshot } from "../control-plane/control-plane.js";
import {
  INSTRUMENTATION_NAME,
  type OtelApi,
  type OtelBatchResult,
  type OtelMeter,
  type OtelMeterProvider,
  type OtelObservable,
} from "./otel-api.js";
import { DECISION_SECONDS_BUCKETS, type TelemetrySink } from "./telemetry-recorder.js";

/** OpenTelemetry metric names (meter `agent-control-plane`). */
export const OTEL_METRICS = {
  decisions: "acp.decisions",
  decisionDuration: "acp.decision.duration",
  completions: "acp.completions",
  pendingTickets: "acp.tickets.pending",
  budgetUsedCost: "acp.budget.used.cost",
  budgetUsedActions: "acp.budget.used.actions",
  killSwitchesEngaged: "acp.kill_switches.engaged",
  outcomeUnknown: "acp.proposals.outcome_unknown",
} as const;

/** The OpenTelemetry metrics of one control plane: a sink for decisions and completions, plus its gauges. */
export interface OtelMetrics extends TelemetrySink {
  /** Unregisters the gauges' callback. */
  close(): void;
}

interface Instruments {
  readonly meter: OtelMeter;
  readonly decisions: ReturnType<OtelMeter["createCounter"]>;
  readonly completions: ReturnType<OtelMeter["createCounter"]>;
  readonly duration: ReturnType<OtelMeter["createHistogram"]>;
  readonly gauges: readonly OtelObservable[];
  readonly observe: (result: OtelBatchResult) => Promise<void>;
}

/**
 * Creates the metrics on the global meter provider. The instruments follow the provider: when the host
 * registers (or replaces) its SDK's meter provider later, they are created again on it at the next decision or
 * completion. The gauges read `health()` once per collection (a handful of counts, never a scan on the
 * decision path); a failed read observes nothing.
 */
export function createOtelMetrics(api: OtelApi, health: () => Promise<HealthSnapshot>): OtelMetrics {
  let provider: OtelMeterProvider | undefined;
  let current: Instruments | undefined;
  const build = (meter: OtelMeter): Instruments => {
    const gauge = (name: string, description: string, unit: string) =>
      meter.createObservableGauge(name, { description, unit });
    const pending = gauge(OTEL_METRICS.pendingTickets, "Tickets waiting for a human decision", "{ticket}");
    const cost = gauge(
      OTEL_METRICS.budgetUsedCost,
      "Budget cost used, summed over every session",
      "{currency}",
    );
    const actions = gauge(
      OTEL_METRICS.budgetUsedActions,
      "Budget actions used, over every session",
      "{action}",
    );
    const kills = gauge(OTEL_METRICS.killSwitchesEngaged, "Kill switches engaged", "{switch}");
    const unknown = gauge(OTEL_METRICS.outcomeUnknown, "Proposals whose outcome is unknown", "{proposal}");
    const observe = async (result: OtelBatchResult) => {
      let h: HealthSnapshot;
      try {
        h = await health();
      } catch {
        return;
      }
      result.observe(pending, h.pendingTickets);
      result.observe(cost, Number(h.budgetUsed.cost));
      result.observe(actions, h.budgetUsed.actions);
      result.observe(kills, h.engagedKillSwitches);
      result.observe(unknown, h.outcomeUnknown);
    };
    const gauges = [pending, cost, actions, kills, unknown];
    meter.addBatchObservableCallback(observe, gauges);
    return {
      meter,
      gauges,
      observe,
      decisions: meter.createCounter(OTEL_METRICS.decisions, {
        description: "Decisions of propose(), by outcome and code",
        unit: "{decision}",
      }),
      completions: meter.createCounter(OTEL_METRICS.completions, {
        description: "Completions reported with complete(), by result",
        unit: "{completion}",
      }),
      duration: meter.createHistogram(OTEL_METRICS.decisionDuration, {
        description: "How long propose() took",
        unit: "s",
        advice: { explicitBucketBoundaries: [...DECISION_SECONDS_BUCKETS] },
      }),
    };
  };
  const unregister = () => current?.meter.removeBatchObservableCallback(current.observe, [...current.gauges]);
  const instruments = (): Instruments => {
    const p = api.metrics.getMeterProvider();
    if (p !== provider || current === undefined) {
      unregister();
      provider = p;
      current = build(p.getMeter(INSTRUMENTATION_NAME));
    }
    return current;
  };
  instruments();
  let closed = false;
  // Attribute sets are few (outcomes × codes): each built once and reused by every recording.
  const byOutcomeCode = new Map<string, Readonly<Record<string, string>>>();
  const byOutcome = new Map<string, Readonly<Record<string, string>>>();
  const decisionAttrs = (outcome: string, code: string) => {
    const key = `${outcome}\u0000${code}`;
    let found = byOutcomeCode.get(key);
    if (found === undefined) {
      found = Object.freeze({ "acp.outcome": outcome, "acp.code": code });
      byOutcomeCode.set(key, found);
    }
    return found;
  };
  const outcomeAttrs = (outcome: string) => {
    let found = byOutcome.get(outcome);
    if (found === undefined) {
      found = Object.freeze({ "acp.outcome": outcome });
      byOutcome.set(outcome, found);
    }
    return found;
  };
  return {
    decision({ outcome, code, seconds }) {
      if (closed) return;
      const i = instruments();
      i.decisions.add(1, decisionAttrs(outcome, code));
      i.duration.record(seconds, outcomeAttrs(outcome));
    },
    completion({ ok }) {
      if (closed) return;
      instruments().completions.add(1, ok ? SUCCEEDED : FAILED);
    },
    close() {
      closed = true;
      unregister();
      current = undefined;
    },
  };
}

const SUCCEEDED = Object.freeze({ "acp.result": "succeeded" });
const FAILED = Object.freeze({ "acp.result": "failed" });
