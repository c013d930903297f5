import { z } from "zod";
import { policySchema } from "../../types/policy.js";

/**
 * The JSON Schema (draft 2020-12) of a policy file, for editors (YAML language server, VS Code). Generated from
 * the zod schema; keys with defaults are optional. Semantic checks (evaluator types, regex validity, depth) are
 * only done by `loadPolicy`.
 * @example writeFileSync("policy.schema.json", JSON.stringify(policyJsonSchema(), null, 2));
 */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(policySchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: "https://agent-control-plane.dev/schema/policy.schema.json",
    title: "agent-control-plane policy",
  };
}
