/**
 * Pure pieces of `npm run bench -- limits`: a governed-action figure next to its floor, the ratio between
 * them, the goal of issue 14 and whether it is met, and the one table that prints them all.
 */

/** What a figure measures: a latency (µs, lower is better) or a throughput (per second, higher is better). */
export const FIGURE_UNITS = ["us", "per-s"] as const;

/** Unit of a {@link Figure}. */
export type FigureUnit = (typeof FIGURE_UNITS)[number];

/** One measured number with its unit and a short label (for example `p50` or `tps`). */
export interface Figure {
  readonly value: number;
  readonly unit: FigureUnit;
  /** What the number is, shown before it: `p50`, `2 × p50`, `tps`, `actions/s`. */
  readonly label: string;
}

/**
 * The goal of one row (issue 14's table):
 * - `max-us`: the figure is a latency at most `value` µs;
 * - `min-per-s`: the figure is a throughput at least `value` per second;
 * - `max-ratio`: figure / floor at most `value` (a latency within a multiple of its floor);
 * - `min-ratio`: figure / floor at least `value` (a throughput reaching a share of its floor).
 */
export type Goal =
  | { readonly kind: "max-us"; readonly value: number }
  | { readonly kind: "min-per-s"; readonly value: number }
  | { readonly kind: "max-ratio"; readonly value: number }
  | { readonly kind: "min-ratio"; readonly value: number };

/** One line of the limits table. A missing figure or floor (for example no PostgreSQL server) is `undefined`. */
export interface LimitRow {
  readonly case: string;
  readonly figure: Figure | undefined;
  readonly floor: (Figure & { readonly name: string }) | undefined;
  readonly goal: Goal;
  /** Why the figure or floor is missing, printed in their place. */
  readonly note?: string;
}

/** Outcome of a goal: met, not met, or not measurable in this run. */
export type Verdict = "yes" | "no" | "n/a";

/**
 * Figure divided by floor; `NaN` when either is missing or the floor is not a positive number.
 * @example ratio({ value: 700, unit: "us", label: "p50" }, { value: 300, unit: "us", label: "2 × p50" }) // 2.33…
 */
export function ratio(figure: Figure | undefined, floor: Figure | undefined): number {
  if (!figure || !floor) return Number.NaN;
  if (!Number.isFinite(figure.value) || !Number.isFinite(floor.value) || floor.value <= 0) return Number.NaN;
  return figure.value / floor.value;
}

/**
 * Whether `row` meets its goal. Ratio goals need both figures; absolute goals need the figure only.
 * @example verdict({ case: "x", figure: { value: 20, unit: "us", label: "p50" }, floor: undefined,
 *   goal: { kind: "max-us", value: 25 } }) // "yes"
 */
export function verdict(row: LimitRow): Verdict {
  const { goal, figure } = row;
  if (goal.kind === "max-ratio" || goal.kind === "min-ratio") {
    const r = ratio(figure, row.floor);
    if (Number.isNaN(r)) return "n/a";
    return (goal.kind === "max-ratio" ? r <= goal.value : r >= goal.value) ? "yes" : "no";
  }
  if (!figure || !Number.isFinite(figure.value)) return "n/a";
  const wanted = goal.kind === "max-us" ? "us" : "per-s";
  if (figure.unit !== wanted) return "n/a";
  return (goal.kind === "max-us" ? figure.value <= goal.value : figure.value >= goal.value) ? "yes" : "no";
}

/**
 * A number as the table prints it: latencies in µs below 1 ms and in ms above, throughputs rounded with
 * thousands separators.
 * @example formatValue(152.4, "us") // "152 µs"
 * @example formatValue(1234.5, "us") // "1.23 ms"
 * @example formatValue(24_512.7, "per-s") // "24,513/s"
 */
export function formatValue(value: number, unit: FigureUnit): string {
  if (!Number.isFinite(value)) return "–";
  if (unit === "per-s") return `${Math.round(value).toLocaleString("en-US")}/s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} ms`;
  return value >= 100 ? `${Math.round(value)} µs` : `${value.toFixed(1)} µs`;
}

/** A figure with its label (if any): `p50 152 µs`, `3,012/s`. */
export function formatFigure(figure: Figure | undefined): string {
  return figure ? `${figure.label} ${formatValue(figure.value, figure.unit)}`.trim() : "–";
}

/** A ratio as `4.67×`, or `–` when it cannot be computed. */
export function formatRatio(r: number): string {
  return Number.isNaN(r) ? "–" : `${r.toFixed(2)}×`;
}

/**
 * A goal in words.
 * @example formatGoal({ kind: "max-ratio", value: 1.5 }) // "≤ 1.50× floor"
 */
export function formatGoal(goal: Goal): string {
  switch (goal.kind) {
    case "max-us":
      return `p50 ≤ ${formatValue(goal.value, "us")}`;
    case "min-per-s":
      return `≥ ${formatValue(goal.value, "per-s")}`;
    case "max-ratio":
      return `≤ ${goal.value.toFixed(2)}× floor`;
    case "min-ratio":
      return `≥ ${goal.value.toFixed(2)}× floor`;
  }
}

/**
 * The limits table as Markdown (it is pasted into docs/benchmarks.md as printed):
 * case | figure | floor | ratio | goal | met?
 */
export function renderLimitsTable(rows: readonly LimitRow[]): string {
  const header = ["case", "figure", "floor", "ratio", "goal", "met?"];
  const body = rows.map((row) => [
    row.case,
    row.figure ? formatFigure(row.figure) : (row.note ?? "–"),
    row.floor ? `${row.floor.name}: ${formatFigure(row.floor)}` : (row.note ?? "–"),
    formatRatio(ratio(row.figure, row.floor)),
    formatGoal(row.goal),
    verdict(row),
  ]);
  return renderMarkdown(header, body);
}

/** Renders a Markdown table with padded columns (first column left-aligned, the others too). */
export function renderMarkdown(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${widths.map((w, i) => (cells[i] ?? "").padEnd(w)).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

/** The machine a run was measured on, printed above its tables. */
export interface MachineInfo {
  readonly date: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly loadAverage: readonly number[];
  readonly postgres?: string;
}

/**
 * One line naming the date, the machine and the load when the run started.
 * @example formatMachine({ date: "2026-12-06", cpus: 2, cpuModel: "AMD EPYC", node: "v20.20.2",
 *   loadAverage: [0.5, 0.4, 0.3] }) // "2026-12-06 · nproc 2 · AMD EPYC · Node v20.20.2 · load 0.50 0.40 0.30"
 */
export function formatMachine(info: MachineInfo): string {
  const parts = [
    info.date,
    `nproc ${info.cpus}`,
    info.cpuModel,
    `Node ${info.node}`,
    `load ${info.loadAverage.map((l) => l.toFixed(2)).join(" ")}`,
  ];
  if (info.postgres) parts.push(info.postgres);
  return parts.join(" · ");
}

/**
 * The CPU model named by the first `model name` line of a /proc/cpuinfo text, or `"unknown CPU"`.
 * @example cpuModelFrom("processor\t: 0\nmodel name\t: AMD EPYC\n") // "AMD EPYC"
 */
export function cpuModelFrom(cpuinfo: string): string {
  const match = /^model name\s*:\s*(.+)$/m.exec(cpuinfo);
  return match?.[1]?.trim() || "unknown CPU";
}
