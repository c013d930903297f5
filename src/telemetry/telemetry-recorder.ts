import type { DecisionCode, Outcome } from "../types/decision.js";

/** One decision as the metrics see it. */
export interface DecisionSample {
  readonly outcome: Outcome;
  readonly code: DecisionCode;
  /** How long `propose()` took, in seconds. */
  readonly seconds: number;
}

/** One completion as the metrics see it. */
export interface CompletionSample {
  /** Whether the host reported success. */
  readonly ok: boolean;
}

/** Where recorded samples go (the OpenTelemetry meter, a Prometheus registry, a test). */
export interface TelemetrySink {
  decision(sample: DecisionSample): void;
  completion(sample: CompletionSample): void;
}

/**
 * The one internal recorder of a control plane's event metrics: the instrumented facade reports each decision
 * and completion once, and every subscribed sink (OpenTelemetry, Prometheus) receives it. Neither sink depends
 * on the other. Gauges (pending tickets, budget used, ...) are not recorded here: they are read from storage
 * when a sink collects (see `ControlPlane.health()`).
 * @example
 * const recorder = createTelemetryRecorder();
 * const cp = await createControlPlane({ storage, policy, telemetry: { recorder } });
 * const app = createHttpApp({ controlPlane: cp, auth, metrics: recorder }); // GET /metrics
 */
export interface TelemetryRecorder {
  /** Reports a decision to every sink. */
  decision(sample: DecisionSample): void;
  /** Reports a completion to every sink. */
  completion(sample: CompletionSample): void;
  /** Adds a sink; returns its removal. A sink that throws is skipped (telemetry never fails a decision). */
  subscribe(sink: TelemetrySink): () => void;
}

/**
 * Creates a {@link TelemetryRecorder}. Pass it to `createControlPlane({ telemetry: { recorder } })` and to the
 * consumers of its samples (`createHttpApp({ metrics })`).
 */
export function createTelemetryRecorder(): TelemetryRecorder {
  let sinks: readonly TelemetrySink[] = [];
  const each = (fn: (sink: TelemetrySink) => void) => {
    for (const sink of sinks) {
      try {
        fn(sink);
      } catch {
        // A broken metrics sink must not turn a decision into an error.
      }
    }
  };
  return {
    decision: (sample) => each((s) => s.decision(sample)),
    completion: (sample) => each((s) => s.completion(sample)),
    subscribe(sink) {
      sinks = [...sinks, sink];
      return () => {
        sinks = sinks.filter((s) => s !== sink);
      };
    },
  };
}

/** Upper bounds (seconds) of the decision latency histogram buckets, shared by OpenTelemetry and Prometheus. */
export const DECISION_SECONDS_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
