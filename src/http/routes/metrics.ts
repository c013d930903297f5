import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ControlPlane } from "../../control-plane/control-plane.js";
import { DECISION_SECONDS_BUCKETS, type TelemetryRecorder } from "../../telemetry/telemetry-recorder.js";
import { authenticate, authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";

/** Prometheus metric names served at `GET /metrics` (documented in docs/telemetry.md). */
export const PROMETHEUS_METRICS = {
  decisions: "acp_decisions_total",
  decisionDuration: "acp_decision_duration_seconds",
  completions: "acp_completions_total",
  pendingTickets: "acp_tickets_pending",
  budgetUsedCost: "acp_budget_used_cost",
  budgetUsedActions: "acp_budget_used_actions",
  killSwitchesEngaged: "acp_kill_switches_engaged",
  outcomeUnknown: "acp_proposals_outcome_unknown",
} as const;

/** A Prometheus registry fed by a recorder (decisions, completions) and the control plane's health counts. */
export interface PrometheusMetrics {
  /** Reads the gauges once, then renders every metric in the Prometheus text format. */
  render(): Promise<string>;
  /** The text format's content type. */
  readonly contentType: string;
  /** Stops listening to the recorder. */
  close(): void;
}

/**
 * Creates the Prometheus metrics of a control plane: counters and the latency histogram fed by `recorder`
 * (decisions and completions made through this process's facade), gauges read from storage at each render
 * through `health()` (one read per scrape, shared by every process on the same database).
 */
export function createPrometheusMetrics(cp: ControlPlane, recorder: TelemetryRecorder): PrometheusMetrics {
  const registry = new Registry();
  const M = PROMETHEUS_METRICS;
  const decisions = new Counter({
    name: M.decisions,
    help: "Decisions of propose(), by outcome and code",
    labelNames: ["outcome", "code"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: M.decisionDuration,
    help: "How long propose() took, in seconds",
    labelNames: ["outcome"] as const,
    buckets: [...DECISION_SECONDS_BUCKETS],
    registers: [registry],
  });
  const completions = new Counter({
    name: M.completions,
    help: "Completions reported with complete(), by result (succeeded, failed)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  const pending = gauge(M.pendingTickets, "Tickets waiting for a human decision");
  const cost = gauge(M.budgetUsedCost, "Budget cost used, summed over every session (currency units)");
  const actions = gauge(M.budgetUsedActions, "Budget actions used, summed over every session");
  const kills = gauge(M.killSwitchesEngaged, "Kill switches engaged");
  const unknown = gauge(M.outcomeUnknown, "Proposals whose outcome is unknown (see acp recover)");
  const unsubscribe = recorder.subscribe({
    decision({ outcome, code, seconds }) {
      decisions.inc({ outcome, code });
      duration.observe({ outcome }, seconds);
    },
    completion({ ok }) {
      completions.inc({ result: ok ? "succeeded" : "failed" });
    },
  });
  return {
    contentType: registry.contentType,
    async render() {
      const h = await cp.health();
      pending.set(h.pendingTickets);
      cost.set(Number(h.budgetUsed.cost));
      actions.set(h.budgetUsed.actions);
      kills.set(h.engagedKillSwitches);
      unknown.set(h.outcomeUnknown);
      return registry.metrics();
    },
    close: unsubscribe,
  };
}

/**
 * `GET /metrics`: the Prometheus text format. Needs a bearer token whose role may `read` (viewer, approver,
 * operator, admin); an `agent` token is refused (403), no token 401. Outside `/v1` and the OpenAPI document.
 */
export function registerMetricsRoute(app: HttpRouter, deps: HttpDeps, metrics: PrometheusMetrics): void {
  app.use("/metrics", authenticate(deps.auth));
  app.get("/metrics", async (c) => {
    authorize(c, "read");
    const text = await metrics.render();
    return c.body(text, 200, { "content-type": metrics.contentType, "cache-control": "no-store" });
  });
}
