import type { Decision } from "../control-plane/decision.js";

/** Codes after which the same call may succeed later without anyone changing anything. */
const RETRY_LATER: ReadonlySet<string> = new Set(["resource_locked"]);

/**
 * The text a model reads when the control plane refuses a call: the tool, the machine code, the human reason, and
 * whether retrying helps.
 * @example refusalMessage("send_email", "budget_exhausted", "session budget spent") // "send_email was refused …"
 */
export function refusalMessage(toolName: string, code: string, reason: string, steering?: string): string {
  const advice = RETRY_LATER.has(code)
    ? "Retry the same call later."
    : "Do not retry the same call; choose another way or report it to the user.";
  const guidance = steering ? ` Guidance: ${steering}` : "";
  return `${toolName} was refused by the control plane [${code}]: ${reason}.${guidance} ${advice}`;
}

/** The text a model reads while a call waits for a human decision. */
export function pendingMessage(toolName: string, ticketId: string, reason: string): string {
  return (
    `${toolName} needs an operator's approval (${reason}); ticket ${ticketId} is pending. ` +
    "It was not run. Retry the same call after the ticket is decided."
  );
}

/** The text a model reads when a running call was stopped: its side effect may or may not have happened. */
export function abortedMessage(toolName: string, reason: string): string {
  return `${toolName} was stopped while running (${reason}). Its outcome is unknown; do not assume it happened.`;
}

/** The steering text of a steered decision, if any. */
export function steeringText(decision: Decision): string | undefined {
  if (decision.outcome !== "steered") return undefined;
  const { guidance, suggestedActions } = decision.steering;
  const parts = guidance ? [guidance] : [];
  if (suggestedActions.length > 0) parts.push(`suggested actions: ${suggestedActions.join(", ")}`);
  return parts.length > 0 ? parts.join("; ") : undefined;
}
