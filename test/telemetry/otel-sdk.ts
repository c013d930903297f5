import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

/** A metric reader that collects only when asked (no timer). */
class PullReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** The OpenTelemetry SDK 2.x registered globally, with in-memory span export and on-demand metric collection. */
export interface OtelHarness {
  /** Finished spans so far. */
  spans(): readonly ReadableSpan[];
  /** Finished spans named `name`. */
  named(name: string): readonly ReadableSpan[];
  /** Forgets the finished spans. */
  reset(): void;
  /** Collects every metric now. */
  collect(): Promise<ResourceMetrics>;
  /** Unregisters the providers and the context manager. */
  uninstall(): Promise<void>;
}

/** Registers a tracer provider, a meter provider and the AsyncLocalStorage context manager globally. */
export function installOtel(): OtelHarness {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    spans: () => exporter.getFinishedSpans(),
    named: (name) => exporter.getFinishedSpans().filter((s) => s.name === name),
    reset: () => exporter.reset(),
    async collect() {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      return resourceMetrics;
    },
    async uninstall() {
      trace.disable();
      metrics.disable();
      context.disable();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** The data points of metric `name` in a collection (empty when absent). */
export function points(collected: ResourceMetrics, name: string): readonly DataPoint<unknown>[] {
  for (const scope of collected.scopeMetrics) {
    for (const m of scope.metrics)
      if (m.descriptor.name === name) return m.dataPoints as DataPoint<unknown>[];
  }
  return [];
}

/** The value of the one data point of `name` whose attributes include `attributes`. */
export function metricValue(
  collected: ResourceMetrics,
  name: string,
  attributes: Readonly<Record<string, string>> = {},
): unknown {
  const matching = points(collected, name).filter((p) =>
    Object.entries(attributes).every(([k, v]) => p.attributes[k] === v),
  );
  if (matching.length !== 1)
    throw new Error(`${matching.length} points of ${name} match ${JSON.stringify(attributes)}`);
  return matching[0]!.value;
}

/** The count of a histogram data point. */
export function histogramCount(value: unknown): number {
  return (value as Histogram).count;
}
