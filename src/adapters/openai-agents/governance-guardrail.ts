import { defineToolInputGuardrail, type ToolInputGuardrailDefinition } from "@openai/agents";
import type { ToolGovernance } from "./tool-governance.js";

/** The name of the input guardrail every governed tool runs last, right before it executes. */
export const GOVERNANCE_GUARDRAIL_NAME = "agent-control-plane";

/**
 * The tool input guardrail of a governed tool: the control plane's last word right before execution. It
 * re-proposes the call under its call id (`decide`: same call id, same proposal — no second proposal, no second
 * reservation). When the call was approved by an operator this is the retry that claims the approved proposal,
 * so the pipeline checks the kill switches and reserves the budget at this moment; a call that is denied, still
 * pending, stopped by a kill switch or over budget is rejected with the control plane's message, which reaches
 * the model as the tool's error output. The decision is the facade's; the guardrail only relays it.
 */
export function governanceGuardrail<C>(governance: ToolGovernance): ToolInputGuardrailDefinition<C> {
  return defineToolInputGuardrail<C>({
    name: GOVERNANCE_GUARDRAIL_NAME,
    run: async ({ context, toolCall }) => {
      let args: unknown;
      try {
        args = governance.parseArgs(toolCall.arguments);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        return {
          behavior: {
            type: "rejectContent",
            message: `Refused: the tool's arguments are invalid (${detail}).`,
          },
          outputInfo: { code: "invalid_arguments" },
        };
      }
      const decided = await governance.governed.decide(
        args,
        governance.call(context as never, toolCall.callId),
      );
      if (decided.status === "allowed") {
        return { behavior: { type: "allow" }, outputInfo: { proposalId: decided.decision.proposalId } };
      }
      return {
        behavior: { type: "rejectContent", message: decided.message },
        outputInfo: {
          status: decided.status,
          code: decided.decision.code,
          proposalId: decided.decision.proposalId,
          ...(decided.status === "pending_approval" ? { ticketId: decided.ticketId } : {}),
        },
      };
    },
  });
}
