import { describe, expect, it } from "vitest";
import { loadContract, ResponseValidator } from "../support/contract-validator.js";

const validator = new ResponseValidator(loadContract(), "contract");
const ticket = {
  id: "0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8d",
  session_id: "0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8e",
  proposal_id: "0190a5c4-5f6e-7a1b-8c2d-3e4f5a6b7c8f",
  status: "pending",
  created_at: "2026-01-01T00:00:00.000Z",
};

describe("ResponseValidator (the contract tests' JSON Schema check)", () => {
  it("accepts a body matching the schema declared for path, method and status, refs resolved", () => {
    expect(validator.validate("/v1/tickets/{ticket_id}", "GET", 200, ticket).ok).toBe(true);
    expect(validator.validate("/v1/tickets", "GET", 200, { items: [ticket], next_offset: null }).ok).toBe(
      true,
    );
  });

  it("rejects a missing required field, a wrong enum value and a bad format", () => {
    const { status: _s, ...noStatus } = ticket;
    expect(validator.validate("/v1/tickets/{ticket_id}", "GET", 200, noStatus).errors).toContain("status");
    expect(validator.validate("/v1/tickets/{ticket_id}", "GET", 200, { ...ticket, status: "open" }).ok).toBe(
      false,
    );
    expect(validator.validate("/v1/tickets/{ticket_id}", "GET", 200, { ...ticket, id: "t-1" }).ok).toBe(
      false,
    );
    expect(
      validator.validate("/v1/tickets/{ticket_id}", "GET", 200, { ...ticket, created_at: "yesterday" }).ok,
    ).toBe(false);
  });

  it("uses the declared error response, and `default` for an undeclared status", () => {
    expect(validator.schemaFor("/v1/health", "GET", 401)).toEqual({
      $ref: "#/components/schemas/ErrorResponse",
    });
    expect(
      validator.validate("/v1/health", "GET", 403, { error: "no", details: { code: "forbidden" } }).ok,
    ).toBe(true);
    expect(validator.validate("/v1/health", "GET", 501, { message: "no" }).ok).toBe(false);
  });

  it("refuses a path the document does not declare", () => {
    expect(() => validator.validate("/v1/nope", "GET", 200, {})).toThrow(/not in the document/);
  });
});
