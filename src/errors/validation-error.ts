import { ControlPlaneError } from "./control-plane-error.js";

/** One validation problem: the path of the bad field and what was expected. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
  readonly received?: unknown;
}

/**
 * Bad input: lists every problem with its path, e.g. `actions.blocked[2]: expected a string`.
 * Nothing was changed when this is thrown.
 */
export class ValidationError extends ControlPlaneError {
  readonly issues: readonly ValidationIssue[];

  constructor(
    issues: readonly ValidationIssue[],
    subject = "input",
    code: "validation_failed" | "policy_invalid" = "validation_failed",
  ) {
    super(code, formatIssues(subject, issues), { details: { issues } });
    this.name = "ValidationError";
    this.issues = issues;
  }
}

function formatIssues(subject: string, issues: readonly ValidationIssue[]): string {
  const lines = issues.map((i) => `  ${i.path || "(root)"}: ${i.message}`);
  return `invalid ${subject} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}
