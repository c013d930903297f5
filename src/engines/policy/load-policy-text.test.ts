import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors/validation-error.js";
import { loadPolicy, loadPolicyText } from "./load-policy.js";

describe("loadPolicyText", () => {
  it("compiles YAML or JSON text to the same policy as loadPolicy", () => {
    const yaml = loadPolicyText("version: 1\nactions:\n  blocked: [drop_table]\n");
    const json = loadPolicyText('{"version":1,"actions":{"blocked":["drop_table"]}}');
    expect(json.id).toBe(yaml.id);
    expect(loadPolicy({ version: 1, actions: { blocked: ["drop_table"] } }).id).toBe(yaml.id);
  });

  it("never reads a one-line string as a file path", () => {
    for (const text of ["examples/policy.yaml", "/etc/passwd", "package.json"]) {
      const error = (() => {
        try {
          loadPolicyText(text);
        } catch (e) {
          return e as ValidationError;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect(error!.code).toBe("policy_invalid");
      expect(error!.issues[0]!.message).toContain("expected a mapping");
    }
  });

  it("reports syntax errors and invalid documents with paths", () => {
    expect(() => loadPolicyText("actions: [")).toThrow(/syntax error/);
    try {
      loadPolicyText("actions:\n  blocked: [1]\n");
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).issues.map((i) => i.path)).toContain("actions.blocked[0]");
    }
  });
});
