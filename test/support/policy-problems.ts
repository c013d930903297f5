import { loadPolicy } from "../../src/engines/policy/load-policy.js";
import { ValidationError } from "../../src/errors/validation-error.js";

/** The `path: message` lines of the ValidationError that loading `{ version: 1, ...doc }` throws. */
export function policyProblems(doc: Record<string, unknown>): string[] {
  try {
    loadPolicy({ version: 1, ...doc });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected the policy to be rejected");
}
