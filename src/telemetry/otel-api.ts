import { createRequire } from "node:module";

/**
 * The part of `@opentelemetry/api` the control plane calls, typed structurally so that neither the code nor
 * its declarations need the package: it is an optional peer, loaded on first use.
 */
export interface OtelApi {
  readonly trace: {
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
  };
  readonly context: {
    active(): OtelContext;
    with<R>(context: OtelContext, fn: () => R): R;
  };
  readonly metrics: {
    getMeterProvider(): OtelMeterProvider;
  };
}

/** An OpenTelemetry context (opaque here). */
export type OtelContext = object;

/** Attribute values the control plane sets. */
export type OtelAttributes = Readonly<Record<string, string | number | boolean>>;

/** The span methods used. */
export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setAttributes(attributes: OtelAttributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error | string): void;
  isRecording(): boolean;
  end(): void;
}

/** The tracer methods used. */
export interface OtelTracer {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: OtelAttributes },
    context?: OtelContext,
  ): OtelSpan;
}

/** The meter provider methods used. */
export interface OtelMeterProvider {
  getMeter(name: string, version?: string): OtelMeter;
}

/** An observable instrument (opaque here). */
export type OtelObservable = object;

/** What a batch observable callback receives. */
export interface OtelBatchResult {
  observe(observable: OtelObservable, value: number, attributes?: OtelAttributes): void;
}

/** The meter methods used. */
export interface OtelMeter {
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): { add(value: number, attributes?: OtelAttributes): void };
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string; advice?: { explicitBucketBoundaries?: number[] } },
  ): { record(value: number, attributes?: OtelAttributes): void };
  createObservableGauge(name: string, options?: { description?: string; unit?: string }): OtelObservable;
  addBatchObservableCallback(
    callback: (result: OtelBatchResult) => void | Promise<void>,
    observables: OtelObservable[],
  ): void;
  removeBatchObservableCallback(
    callback: (result: OtelBatchResult) => void | Promise<void>,
    observables: OtelObservable[],
  ): void;
}

/** `SpanKind.INTERNAL` of the API. */
export const SPAN_KIND_INTERNAL = 0;
/** `SpanStatusCode.ERROR` of the API. */
export const SPAN_STATUS_ERROR = 2;

/** Name of the tracer and of the meter. */
export const INSTRUMENTATION_NAME = "agent-control-plane";

let loaded: OtelApi | null | undefined;

/**
 * `@opentelemetry/api` when it is installed, else `undefined` (then every telemetry function is a no-op).
 * Loaded synchronously once, with `require`, so the root entry imports nothing optional. The API keeps its
 * globals under a `Symbol.for` key, so this copy sees the tracer and meter providers the host registered.
 */
export function otelApi(): OtelApi | undefined {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)("@opentelemetry/api") as OtelApi;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
