import type { CallToolResult } from "@modelcontextprotocol/server";
import type { Decision } from "../control-plane/decision.js";

/** The `_meta` key under which the gateway puts the control plane's decision of a call. */
export const DECISION_META_KEY = "agent-control-plane/decision";

/** The decision as carried in `_meta` (the trace is left out: it is in the audit log). */
export function decisionMeta(decision: Decision): Record<string, unknown> {
  return {
    outcome: decision.outcome,
    code: decision.code,
    reason: decision.reason,
    proposalId: decision.proposalId,
    riskLevel: decision.riskLevel,
    tier: decision.tier,
    ...(decision.outcome === "pending_approval" ? { ticketId: decision.ticketId } : {}),
    ...(decision.outcome === "steered" ? { steering: decision.steering } : {}),
  };
}

/** An `isError` tool result whose first text is the actionable message. */
export function errorResult(text: string, meta?: Record<string, unknown>): CallToolResult {
  return {
    content: [{ type: "text", text }],
    isError: true,
    ...(meta ? { _meta: meta } : {}),
  };
}

/**
 * The result of a call the control plane refused (denied, steered, budget, kill switch): the code and reason
 * first, then the guidance and alternatives when steered, with the decision in `_meta`.
 */
export function refusedResult(tool: string, decision: Decision): CallToolResult {
  const lines = [`${tool} refused by the control plane [${decision.code}]: ${decision.reason}`];
  if (decision.outcome === "steered") {
    lines.push(`Guidance: ${decision.steering.guidance}`);
    if (decision.steering.suggestedActions.length > 0)
      lines.push(`Alternatives: ${decision.steering.suggestedActions.join(", ")}`);
  }
  if (decision.code === "kill_switch") lines.push("Do not retry: an operator stopped this agent or session.");
  return errorResult(lines.join("\n"), { [DECISION_META_KEY]: decisionMeta(decision) });
}

/** The result of a call still waiting for an operator: names the ticket and says to retry the same call. */
export function pendingResult(tool: string, decision: Decision & { ticketId: string }): CallToolResult {
  return errorResult(
    `${tool} needs an operator's approval: ticket ${decision.ticketId} is still pending (${decision.reason}). ` +
      "Retry the same call with the same arguments once it is approved; it will then run once.",
    { [DECISION_META_KEY]: decisionMeta(decision) },
  );
}

/** The result of a call to a held tool (its definition changed since first sight). */
export function heldResult(tool: string, server: string, upstreamName: string): CallToolResult {
  return errorResult(
    `${tool} is held: the definition of tool "${upstreamName}" on server "${server}" changed since it was ` +
      "first seen. An operator must review and accept the new definition before it can be called.",
    { [DECISION_META_KEY]: { outcome: "denied", code: "tool_held", server, tool: upstreamName } },
  );
}

/** The result of a call to a tool the config does not map (and there is no default): fail closed. */
export function unmappedResult(tool: string): CallToolResult {
  return errorResult(
    `${tool} is not mapped in the proxy's tool map and there is no default mapping: calls are denied. ` +
      "An operator can map it in the config's tools section.",
    { [DECISION_META_KEY]: { outcome: "denied", code: "unmapped_tool" } },
  );
}

/** The result of a call whose arguments lack what its mapping reads (cost, resource): refused, not forwarded. */
export function badArgumentsResult(tool: string, reason: string): CallToolResult {
  return errorResult(`${tool} refused: ${reason}. Fix the arguments and call again.`, {
    [DECISION_META_KEY]: { outcome: "denied", code: "invalid_arguments", reason },
  });
}
