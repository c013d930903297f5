import type { TokenBudgetPeriod } from "../../types/token-budget.js";

const DAY_MS = 86_400_000;
/** Start of the `unlimited` window (as the original: 2000-01-01T00:00:00Z). */
export const UNLIMITED_START = Date.UTC(2000, 0, 1);
/** End of the `unlimited` window (9999-12-31T00:00:00Z). */
export const UNLIMITED_END = Date.UTC(9999, 11, 31);

/** A budget window `[start, end)` in ms since the epoch. */
export interface BudgetWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * The window of a budget that contains `now` (pure, UTC): `daily` from midnight, `weekly` from Monday midnight,
 * `monthly` from the 1st, `unlimited` 2000-01-01 → 9999-12-31, `rolling` the last `rollingMs` (`start`
 * exclusive, `end` = now).
 * @example budgetWindow("weekly", null, Date.UTC(2026, 0, 7, 15)) // { start: Date.UTC(2026, 0, 5), end: Date.UTC(2026, 0, 12) }
 */
export function budgetWindow(period: TokenBudgetPeriod, rollingMs: number | null, now: number): BudgetWindow {
  if (period === "rolling") return { start: now - (rollingMs ?? 0), end: now };
  if (period === "unlimited") return UNLIMITED_WINDOW;
  // Calendar windows tile time: the last one computed for the period is the answer while `now` is inside it
  // (every reservation asks, and the date math is most of the cost).
  const last = lastWindows[period];
  if (last !== undefined && now >= last.start && now < last.end) return last;
  const window = Object.freeze(calendarWindow(period, now));
  lastWindows[period] = window;
  return window;
}

const UNLIMITED_WINDOW: BudgetWindow = Object.freeze({ start: UNLIMITED_START, end: UNLIMITED_END });
const lastWindows: { [P in "daily" | "weekly" | "monthly"]?: BudgetWindow } = {};

function calendarWindow(period: "daily" | "weekly" | "monthly", now: number): BudgetWindow {
  const d = new Date(now);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  switch (period) {
    case "daily":
      return { start: midnight, end: midnight + DAY_MS };
    case "weekly": {
      const start = midnight - ((d.getUTCDay() + 6) % 7) * DAY_MS;
      return { start, end: start + 7 * DAY_MS };
    }
    case "monthly":
      return {
        start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
        end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
      };
  }
}

/**
 * A rolling window is counted in buckets of 1/60 of its length (at least 1 s): one counter row per bucket, so
 * a reservation sums at most 61 rows whatever the traffic. The window counts every bucket that STARTS within the
 * last `rollingMs + bucket` ms: up to one bucket of older usage more than the exact window, never less (a limit
 * is never overspent).
 * @example rollingBucketMs(3_600_000) // 60000
 */
export function rollingBucketMs(rollingMs: number): number {
  return Math.max(1000, Math.ceil(rollingMs / 60));
}

/** The bucket of a rolling budget containing `now`, and the instant after which bucket starts count. */
export function rollingBucket(
  rollingMs: number,
  now: number,
): { readonly start: number; readonly end: number; readonly countSince: number } {
  const size = rollingBucketMs(rollingMs);
  const start = Math.floor(now / size) * size;
  return { start, end: start + size, countSince: now - rollingMs - size };
}

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };
/** The longest rolling window accepted: 366 days. */
export const MAX_ROLLING_MS = 366 * DAY_MS;

/**
 * Parses a rolling window length such as `"90s"`, `"15m"`, `"1h"` or `"7d"` into ms (1 s to 366 days).
 * Returns `undefined` when the text is not such a duration.
 * @example parseRollingWindow("1h") // 3600000
 */
export function parseRollingWindow(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  return ms >= 1000 && ms <= MAX_ROLLING_MS ? ms : undefined;
}

/** Formats a rolling window length back to its shortest unit text (`3600000` → `"1h"`). */
export function formatRollingWindow(ms: number): string {
  for (const unit of ["d", "h", "m"] as const) {
    if (ms % UNITS[unit]! === 0) return `${ms / UNITS[unit]!}${unit}`;
  }
  return `${Math.floor(ms / 1000)}s`;
}
