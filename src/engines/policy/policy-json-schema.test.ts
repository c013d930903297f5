import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { policyJsonSchema } from "./policy-json-schema.js";

describe("policyJsonSchema", () => {
  it("matches the committed schema/policy.schema.json (run `npx tsx scripts/write-policy-schema.ts`)", () => {
    const committed = readFileSync(new URL("../../../schema/policy.schema.json", import.meta.url), "utf8");
    expect(JSON.parse(committed)).toEqual(policyJsonSchema());
  });

  it("describes every top-level key, strictly, with condition trees as a shared definition", () => {
    const schema = policyJsonSchema() as {
      properties: Record<string, { properties?: Record<string, unknown> }>;
      required: string[];
      additionalProperties: boolean;
      $defs: Record<string, { anyOf: unknown[] }>;
    };
    expect(Object.keys(schema.properties)).toEqual([
      "version",
      "name",
      "description",
      "executionMode",
      "actions",
      "steering",
      "risk",
      "assets",
      "autoApprove",
      "evaluators",
      "redact",
      "approvals",
      "models",
      "sessionRisk",
    ]);
    expect(schema.required).toEqual(["version"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.autoApprove?.properties?.when).toEqual({ $ref: "#/$defs/Condition" });
    expect(schema.$defs.Condition?.anyOf).toHaveLength(8);
  });
});
