import { describe, expect, it } from "vitest";
import { judge } from "../support/fuzz/judge.js";
import type { FuzzRoute } from "../support/fuzz/openapi-routes.js";
import type { Credential, FuzzCase } from "../support/fuzz/request-arbitrary.js";
import type { RawResponse } from "../support/raw-http.js";

const approve: FuzzRoute = {
  method: "POST",
  path: "/v1/tickets/{ticket_id}/approve",
  params: [],
  secured: true,
};
const routes = [approve];
const as = (credential: Credential, method = "POST"): FuzzCase => ({
  route: approve,
  credential,
  request: { method, path: "/v1/tickets/x/approve" },
});
const answer = (status: number, text: string): RawResponse => ({ status, headers: {}, text, stream: false });
const envelope = JSON.stringify({ error: "nope", details: { code: "forbidden" } });
const approver: Credential = { kind: "valid", role: "approver", token: "t" };

describe("the fuzz judge (so that a passing fuzz means something)", () => {
  it("accepts a refusal in the envelope and a 2xx for a role holding the route's permission", () => {
    expect(judge(as(approver), answer(403, envelope), routes)).toBeUndefined();
    expect(judge(as(approver), answer(200, "{}"), routes)).toBeUndefined();
  });

  it("flags a 5xx, an error outside the envelope, and a redirect", () => {
    expect(judge(as(approver), answer(500, envelope), routes)).toBe("5xx");
    expect(judge(as(approver), answer(422, '{"error":"x"}'), routes)).toBe("not the envelope");
    expect(judge(as(approver), answer(400, "Bad Request"), routes)).toBe("non-JSON error body");
    expect(judge(as(approver), answer(302, ""), routes)).toBe("unexpected 302");
  });

  it("flags a 2xx without a valid token, for a role without the permission, or on an undocumented method", () => {
    expect(judge(as({ kind: "invalid", header: "Bearer x" }), answer(200, "{}"), routes)).toBe(
      "2xx without a valid token",
    );
    expect(judge(as({ kind: "valid", role: "agentA", token: "t" }), answer(200, "{}"), routes)).toMatch(
      /lacking the route's permissions/,
    );
    expect(judge(as(approver, "PUT"), answer(200, "{}"), routes)).toBe("2xx on an undocumented method");
  });
});
