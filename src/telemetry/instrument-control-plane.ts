import type { ControlPlane } from "../control-plane/control-plane.js";
import type { Decision } from "../control-plane/decision.js";
import type { ProposalView } from "../control-plane/views.js";
import {
  INSTRUMENTATION_NAME,
  type OtelApi,
  type OtelSpan,
  otelApi,
  SPAN_KIND_INTERNAL,
} from "./otel-api.js";
import { createOtelMetrics } from "./otel-metrics.js";
import { decisionAttributes, failSpan, presentAttributes, runInSpan, setPresent } from "./span-attributes.js";
import type { ResolvedTelemetry } from "./telemetry-options.js";
import type { TelemetrySink } from "./telemetry-recorder.js";

/** Span names of the instrumented facade. */
export const SPAN_NAMES = {
  propose: "acp.propose",
  complete: "acp.complete",
  approvalWait: "acp.approval_wait",
} as const;

/**
 * Wraps `propose`, `complete` and `waitForDecision` of a control plane in spans (children of the caller's
 * active span) and reports decisions and completions to the metrics. Returns `cp` itself when there is nothing
 * to report to (`openTelemetry` off or the API not installed, and no recorder). A denial is a value, not a
 * span error; a thrown error is recorded on its span and rethrown unchanged. Telemetry never changes a result.
 * @internal used by `createControlPlane`
 */
export function instrumentControlPlane(cp: ControlPlane, telemetry: ResolvedTelemetry): ControlPlane {
  const api = telemetry.openTelemetry ? otelApi() : undefined;
  const sinks: TelemetrySink[] = [];
  if (telemetry.recorder) sinks.push(telemetry.recorder);
  const metrics = api ? createOtelMetrics(api, () => cp.health()) : undefined;
  if (metrics) sinks.push(metrics);
  if (sinks.length === 0) return cp;
  const tracer = api?.trace.getTracer(INSTRUMENTATION_NAME);
  const start = (name: string): OtelSpan | undefined => {
    const span = tracer?.startSpan(name, { kind: SPAN_KIND_INTERNAL });
    if (span === undefined || span.isRecording()) return span;
    span.end();
    return undefined;
  };
  /** Runs `fn` in `span`, recording a throw; ends the span. */
  const traced = async <R>(span: OtelSpan, fn: () => Promise<R>): Promise<R> => {
    try {
      return await runInSpan(api as OtelApi, span, fn);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  };
  const decided = (decision: Decision, t0: number): Decision => {
    const sample = {
      outcome: decision.outcome,
      code: decision.code,
      seconds: (performance.now() - t0) / 1000,
    };
    for (const sink of sinks) quietly(() => sink.decision(sample));
    return decision;
  };
  const completed = (view: ProposalView): ProposalView => {
    const sample = { ok: view.status === "succeeded" };
    for (const sink of sinks) quietly(() => sink.completion(sample));
    return view;
  };
  return {
    ...cp,
    propose(input, options) {
      const t0 = performance.now();
      const span = start(SPAN_NAMES.propose);
      // No recording span (no SDK): only the metrics, without another async layer.
      if (span === undefined) return cp.propose(input, options).then((d) => decided(d, t0));
      setPresent(span, "acp.action", input?.action);
      setPresent(span, "acp.session.id", input?.sessionId);
      setPresent(span, "acp.agent.id", input?.agentId);
      return traced(span, async () => {
        const decision = decided(await cp.propose(input, options), t0);
        span.setAttributes(decisionAttributes(decision));
        return decision;
      });
    },
    complete(proposalId, input, options) {
      const span = start(SPAN_NAMES.complete);
      if (span === undefined) return cp.complete(proposalId, input, options).then(completed);
      setPresent(span, "acp.proposal.id", proposalId);
      if (typeof input?.ok === "boolean") span.setAttribute("acp.completion.ok", input.ok);
      return traced(span, async () => {
        const view = completed(await cp.complete(proposalId, input, options));
        span.setAttributes({
          "acp.session.id": view.sessionId,
          "acp.action": view.action,
          "acp.proposal.status": view.status,
        });
        return view;
      });
    },
    waitForDecision(ticketId, options) {
      const span = start(SPAN_NAMES.approvalWait);
      if (span === undefined) return cp.waitForDecision(ticketId, options);
      span.setAttributes(presentAttributes({ "acp.ticket.id": ticketId }));
      if (typeof options?.timeoutMs === "number") span.setAttribute("acp.wait.timeout_ms", options.timeoutMs);
      return traced(span, async () => {
        const result = await cp.waitForDecision(ticketId, options);
        span.setAttributes({
          "acp.ticket.status": result.status,
          "acp.wait.timed_out": result.timedOut,
          "acp.proposal.id": result.ticket.proposalId,
          "acp.session.id": result.ticket.sessionId,
        });
        return result;
      });
    },
    async close() {
      metrics?.close();
      await cp.close();
    },
  };
}

/** Runs a metrics call; its failure never turns a decision or a completion into an error. */
function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // Telemetry is best effort.
  }
}
