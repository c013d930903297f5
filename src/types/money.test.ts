import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors/validation-error.js";
import { toMicros } from "./money.js";

const message = (value: unknown): string => {
  try {
    toMicros(value, "cost");
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  }
  throw new Error("expected toMicros to throw");
};

describe("toMicros", () => {
  it("rejects numbers finer than one micro-unit, as it rejects such strings (1e-7 is not 0)", () => {
    expect(message("0.0000001")).toBe("cost: expected a decimal amount with at most 6 fractional digits");
    expect(message(1e-7)).toBe("cost: expected a decimal amount with at most 6 fractional digits");
    expect(message(1.5e-6)).toBe("cost: expected a decimal amount with at most 6 fractional digits");
    expect(message(1.0000001)).toBe("cost: expected a decimal amount with at most 6 fractional digits");
  });

  it("reads exponent notation exactly when it is within range", () => {
    expect(toMicros(1e-6, "cost")).toBe(1);
    expect(toMicros(2.5e-6 * 2, "cost")).toBe(5);
    expect(toMicros(1e9, "cost")).toBe(1e15);
  });

  it("says a too large amount exceeds the maximum amount (1e21 included)", () => {
    expect(message(1e21)).toBe("cost: exceeds the maximum amount (9000000000)");
    expect(message("9000000001")).toBe("cost: exceeds the maximum amount (9000000000)");
    expect(message(-1e-7)).toBe("cost: expected a non-negative amount");
  });
});
