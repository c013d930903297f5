/** Latency summary of one benchmark case. */
export interface LatencySummary {
  readonly name: string;
  readonly ops: number;
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/**
 * Runs `fn` `iterations` times after `warmup` untimed runs and returns per-call latency percentiles
 * (microseconds) and throughput. `fn` may be sync or async.
 */
export async function measure(
  name: string,
  fn: (i: number) => unknown,
  options: { iterations: number; warmup?: number },
): Promise<LatencySummary> {
  const warmup = options.warmup ?? Math.min(1000, options.iterations);
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples = new Float64Array(options.iterations);
  const start = process.hrtime.bigint();
  for (let i = 0; i < options.iterations; i++) {
    const t0 = process.hrtime.bigint();
    const r = fn(i);
    if (r instanceof Promise) await r;
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const totalUs = Number(process.hrtime.bigint() - start) / 1000;
  return summarize(name, samples, totalUs);
}

/** Builds a summary from raw per-operation samples (µs) and the wall time of the whole run (µs). */
export function summarize(name: string, samples: Float64Array | number[], wallUs: number): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  return {
    name,
    ops: sorted.length,
    opsPerSec: sorted.length / (wallUs / 1e6),
    p50Us: percentile(sorted, 50),
    p99Us: percentile(sorted, 99),
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Prints summaries as an aligned table, with an optional goal column. */
export function printTable(title: string, rows: readonly (LatencySummary & { goal?: string })[]): void {
  console.log(`\n## ${title}`);
  const header = ["case", "ops", "ops/s", "p50 µs", "p99 µs", "goal"];
  const body = rows.map((r) => [
    r.name,
    String(r.ops),
    Math.round(r.opsPerSec).toLocaleString("en-US"),
    r.p50Us.toFixed(2),
    r.p99Us.toFixed(2),
    r.goal ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(header));
  for (const b of body) console.log(line(b));
}
