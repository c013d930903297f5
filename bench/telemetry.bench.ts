/**
 * Telemetry cost on the decision path: a governed action (`propose` + `complete`, memory storage) with
 * (a) `telemetry: false`, (b) the default with `@opentelemetry/api` installed and no SDK registered (no-op
 * tracer and meter), (c) the OpenTelemetry SDK 2.x registered (AsyncLocalStorage context manager, spans
 * exported in batches, as in production, to an in-memory exporter; metrics aggregated by a meter provider).
 * Once on memory storage (the whole action takes a few tens of µs, so the SDK's own cost per span shows in
 * full), once on SQLite in memory (SQL without the disk's noise) and once on a SQLite file (WAL, synchronous=FULL:
 * the embedded default, where users run it; fsync time dilutes the ratio). Rounds alternate the cases so
 * that JIT warm-up and GC affect them alike; the table gives every round, the summary the median ratios.
 * Goals: (b) no measurable cost; (c) at most 20 % more time per action.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { type ControlPlane, createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createMemoryStorage } from "../src/storage/memory/memory-storage.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import { type LatencySummary, measure, printTable } from "./stats.js";

const POLICY = { version: 1, actions: { autoApprove: ["write_file"] } } as const;
const ROUNDS = 6;

class PullReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** Registers the SDK globally; returns its removal and a way to drop exported spans. */
function installSdk() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const meterProvider = new MeterProvider({ readers: [new PullReader()] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    exporter,
    async uninstall() {
      trace.disable();
      metrics.disable();
      context.disable();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

async function governedCase(
  name: string,
  cp: ControlPlane,
  iterations: number,
  onEach?: (i: number) => void,
) {
  const s = await cp.openSession({ name });
  const row = await measure(
    name,
    async (i) => {
      onEach?.(i);
      const d = await cp.propose({
        sessionId: s.id,
        action: "write_file",
        resourceId: `r${i}`,
        cost: "0.01",
      });
      if (d.outcome !== "allowed") throw new Error(`unexpected ${d.outcome}: ${d.reason}`);
      await cp.complete(d.proposalId, { ok: true });
    },
    { iterations, warmup: Math.min(3_000, iterations / 5) },
  );
  await cp.close();
  return row;
}

const make = (storage: Storage, telemetry: boolean) =>
  createControlPlane({ storage, policy: POLICY, telemetry });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} %`;

type CaseName = "off" | "noSdk" | "sdk";
const LABELS: Readonly<Record<CaseName, string>> = {
  off: "telemetry: false",
  noSdk: "API, no SDK",
  sdk: "SDK + in-memory exporter",
};

/**
 * Every round runs the three cases, each on a fresh storage from `storage()`, in an order rotated from round
 * to round (whichever case runs first in a round is measurably faster on a busy machine).
 */
async function compare(
  title: string,
  storage: () => Storage | Promise<Storage>,
  iterations: number,
): Promise<void> {
  const rows: LatencySummary[] = [];
  const p50: Record<CaseName, number[]> = { off: [], noSdk: [], sdk: [] };
  const timed = async (name: CaseName, round: number): Promise<LatencySummary> => {
    const s = await storage();
    const sdk = name === "sdk" ? installSdk() : undefined;
    try {
      const cp = await make(s, name !== "off");
      return await governedCase(`${LABELS[name]} (round ${round})`, cp, iterations, (i) => {
        if (i % 5_000 === 0) sdk?.exporter.reset();
      });
    } finally {
      await sdk?.uninstall();
      await s.close();
    }
  };
  const names: CaseName[] = ["off", "noSdk", "sdk"];
  for (let round = 1; round <= ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round - 1) % names.length]!;
      const row = await timed(name, round);
      rows.push(row);
      p50[name].push(row.p50Us);
    }
  }
  printTable(title, rows);
  // Medians of the rounds' p50: a shared machine's pauses land in the tails and the throughput, not here.
  const base = median(p50.off);
  console.log(
    `median p50 vs telemetry: false (${base.toFixed(2)} µs) — API, no SDK: ${pct(median(p50.noSdk) / base - 1)} ` +
      `(goal: not measurable); SDK + in-memory exporter: ${pct(median(p50.sdk) / base - 1)} (goal: ≤ +20 %)`,
  );
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "acp-bench-telemetry-"));
  let n = 0;
  try {
    await runAll(async () => createSqliteStorage({ path: join(dir, `t${n++}.db`) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runAll(sqliteFile: () => Promise<Storage>): Promise<void> {
  await compare(
    "telemetry on the governed action (propose + complete), memory storage",
    async () => createMemoryStorage(),
    15_000,
  );
  await compare(
    "telemetry on the governed action (propose + complete), SQLite :memory:",
    () => createSqliteStorage({ path: ":memory:" }),
    5_000,
  );
  // Where users run it: a durable file (WAL, synchronous=FULL, the embedded default). The fsync per commit
  // dominates, so the ratio here is what a user of the embedded storage sees.
  await compare(
    "telemetry on the governed action (propose + complete), SQLite file (WAL, synchronous=FULL)",
    sqliteFile,
    1_000,
  );
}
