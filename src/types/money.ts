import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";

/** Money is held as an integer number of micro-units (1 unit = 1,000,000 micros): exact sums, no float drift. */
export const MICROS_PER_UNIT = 1_000_000;

/** The largest amount accepted, in units (keeps micros inside the safe-integer range). */
export const MAX_MONEY_UNITS = 9_000_000_000;

const DECIMAL = /^(\d+)(?:\.(\d{1,6}))?$/;

/**
 * Parses a non-negative decimal amount (number or string, at most 6 fractional digits) into micros.
 * Numbers are read through their shortest decimal representation, so `0.1` is exactly 100000 micros.
 * @throws ValidationError naming `path` when the value is negative, not finite, too precise or too large.
 * @example toMicros("12.50", "cost") // 12500000
 */
export function toMicros(value: unknown, path: string): number {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new ValidationError([{ path, message: "expected a finite number" }]);
    // Whole amounts in range (the common case) need no text round trip.
    if (Number.isInteger(value) && value >= 0 && value <= MAX_MONEY_UNITS) return value * MICROS_PER_UNIT;
    text = numberToPlainString(value);
  } else if (typeof value === "string") {
    text = value.trim();
  } else {
    throw new ValidationError([{ path, message: "expected a non-negative decimal number or string" }]);
  }
  const match = DECIMAL.exec(text);
  if (!match) {
    const message = text.startsWith("-")
      ? "expected a non-negative amount"
      : "expected a decimal amount with at most 6 fractional digits";
    throw new ValidationError([{ path, message, received: value }]);
  }
  const whole = Number(match[1]);
  if (whole > MAX_MONEY_UNITS) {
    throw new ValidationError([
      { path, message: `exceeds the maximum amount (${MAX_MONEY_UNITS})`, received: value },
    ]);
  }
  const fraction = (match[2] ?? "").padEnd(6, "0");
  return whole * MICROS_PER_UNIT + Number(fraction);
}

/**
 * Like {@link toMicros}, for validators that report every problem at once: an invalid amount is added to
 * `issues` (and `null` returned) instead of thrown. `undefined` stays `null` (not given).
 */
export function collectMicros(value: unknown, path: string, issues: ValidationIssue[]): number | null {
  if (value === undefined) return null;
  try {
    return toMicros(value, path);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
    return null;
  }
}

/** Formats micros as a plain decimal string without trailing zeros (`12500000` → `"12.5"`). */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS_PER_UNIT);
  const fraction = abs % MICROS_PER_UNIT;
  if (fraction === 0) return `${sign}${whole}`;
  return `${sign}${whole}.${String(fraction).padStart(6, "0").replace(/0+$/, "")}`;
}

/** Converts micros to a JS number of units (for comparisons in conditions, not for sums). */
export function microsToUnits(micros: number): number {
  return micros / MICROS_PER_UNIT;
}

/**
 * The exact decimal text of a number's shortest representation, without exponent: `1e-7` → `"0.0000001"`,
 * `1e21` → `"1000000000000000000000"`, so that amounts finer than a micro-unit or too large are reported as
 * such instead of being rounded.
 */
function numberToPlainString(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/i.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = "", exponent] = match;
  const digits = `${whole}${fraction}`;
  const point = whole!.length + Number(exponent);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
