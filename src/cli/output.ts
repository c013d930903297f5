import type { CliIo } from "./io.js";

/** One column of a {@link formatTable}: its heading and how to read the cell from a row. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => unknown;
}

/** Renders a cell: `null`/`undefined` as `-`, objects as compact JSON, newlines flattened. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "-";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return text.replace(/\s*\n\s*/g, " ");
}

/**
 * Formats rows as a left-aligned text table with a header line, columns separated by two spaces and the
 * last column not padded. An empty list yields the header only.
 * @example formatTable([{ id: "t1" }], [{ header: "ID", value: (r) => r.id }]) // "ID\nt1"
 */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => cellText(c.value(r))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/**
 * Formats one record as aligned `key  value` lines (nested objects as compact JSON).
 * @example formatRecord({ id: "t1", status: "pending" }) // "id      t1\nstatus  pending"
 */
export function formatRecord(record: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(record);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)}  ${cellText(record[k])}`).join("\n");
}

/** Output options every command accepts. */
export interface OutputOptions {
  readonly json?: boolean | undefined;
}

/** Prints `value` as one JSON document with `--json`, otherwise the text `render` makes of it. */
export function print(io: CliIo, options: OutputOptions, value: unknown, render: () => string): void {
  io.out(options.json ? JSON.stringify(value, null, 2) : render());
}
