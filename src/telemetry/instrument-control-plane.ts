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
import {
  failSpan,
  presentAttributes,
  runInSpan,
  setDecisionAttributes,
  setPresent,
} from "./span-attributes.js";
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
    const span = tracer?.startSpan(name, SPAN_OPTIONS);
    if (span === undefined || span.isRecording()) return span;
    span.end();
    return undefined;
  };
  /**
   * Runs `fn` with `span` active, then `after` on its result; records a throw on the span; ends the span. One
   * `then` and no async wrapper: with an SDK's async-hooks context manager every promise costs a hook call.
   */
  const traced = <R>(span: OtelSpan, fn: () => Promise<R>, after: (result: R) => R): Promise<R> => {
    let pending: Promise<R>;
    try {
      pending = runInSpan(api as OtelApi, span, fn);
    } catch (error) {
      failed(span, error);
      return Promise.reject(error);
    }
    return pending.then(
      (result) => {
        let out: R;
        try {
          out = after(result);
        } catch (error) {
          failed(span, error);
          throw error;
        }
        span.end();
        return out;
      },
      (error: unknown) => {
        failed(span, error);
        throw error;
      },
    );
  };
  const decided = (decision: Decision, t0: number): Decision => {
    const sample = {
      outcome: decision.outcome,
      code: decision.code,
      seconds: (performance.now() - t0) / 1000,
    };
    for (const sink of sinks) {
      try {
        sink.decision(sample);
      } catch {
        // Telemetry is best effort: a failed metrics call never turns a decision into an error.
      }
    }
    return decision;
  };
  const completed = (view: ProposalView): ProposalView => {
    const sample = view.status === "succeeded" ? SUCCEEDED_SAMPLE : FAILED_SAMPLE;
    for (const sink of sinks) {
      try {
        sink.completion(sample);
      } catch {
        // Telemetry is best effort.
      }
    }
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
      return traced(
        span,
        () => cp.propose(input, options),
        (decision) => {
          decided(decision, t0);
          setDecisionAttributes(span, decision);
          return decision;
        },
      );
    },
    complete(proposalId, input, options) {
      const span = start(SPAN_NAMES.complete);
      if (span === undefined) return cp.complete(proposalId, input, options).then(completed);
      setPresent(span, "acp.proposal.id", proposalId);
      if (typeof input?.ok === "boolean") span.setAttribute("acp.completion.ok", input.ok);
      return traced(
        span,
        () => cp.complete(proposalId, input, options),
        (view) => {
          completed(view);
          span.setAttribute("acp.session.id", view.sessionId);
          span.setAttribute("acp.action", view.action);
          span.setAttribute("acp.proposal.status", view.status);
          return view;
        },
      );
    },
    waitForDecision(ticketId, options) {
      const span = start(SPAN_NAMES.approvalWait);
      if (span === undefined) return cp.waitForDecision(ticketId, options);
      span.setAttributes(presentAttributes({ "acp.ticket.id": ticketId }));
      if (typeof options?.timeoutMs === "number") span.setAttribute("acp.wait.timeout_ms", options.timeoutMs);
      return traced(
        span,
        () => cp.waitForDecision(ticketId, options),
        (result) => {
          span.setAttributes({
            "acp.ticket.status": result.status,
            "acp.wait.timed_out": result.timedOut,
            "acp.proposal.id": result.ticket.proposalId,
            "acp.session.id": result.ticket.sessionId,
          });
          return result;
        },
      );
    },
    async close() {
      metrics?.close();
      await cp.close();
    },
  };
}

/** The options of every span: internal kind (one object for all). */
const SPAN_OPTIONS = { kind: SPAN_KIND_INTERNAL } as const;
const SUCCEEDED_SAMPLE = Object.freeze({ ok: true });
const FAILED_SAMPLE = Object.freeze({ ok: false });

/** Records a throw on `span` and ends it. */
function failed(span: OtelSpan, error: unknown): void {
  try {
    failSpan(span, error);
  } finally {
    span.end();
  }
}
