import { defineToolInputGuardrail, type RunContext, type ToolInputGuardrailDefinition } from "@openai/agents";
import { EXECUTABLE_STATUSES } from "../../engines/sessions/session-transitions.js";
import type { ToolGovernance } from "./tool-governance.js";

/** The name of the input guardrail every governed tool runs last, right before it executes. */
export const GOVERNANCE_GUARDRAIL_NAME = "agent-control-plane";

/**
 * The tool input guardrail of a governed tool: the control plane's last word right before execution. It
 * re-proposes the call under its call id (`decide`: same call id, same proposal — no second proposal, no second
 * reservation; a refusal `needsApproval` just got is relayed as it is). When the call was approved by an operator this is the retry that claims the approved proposal,
 * so the pipeline checks the kill switches and reserves the budget at this moment; a call that is denied, still
 * pending, stopped by a kill switch or over budget is rejected with the control plane's message, which reaches
 * the model as the tool's error output. A call allowed earlier (its budget is reserved since) is re-checked
 * against the session's state: a kill switch engaged since its decision paused or aborted the session, so the
 * call is not started; its proposal is completed as not executed (cost 0). The decisions are the facade's; the
 * guardrail only relays them.
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
      const refused = governance.refusals.get(toolCall.callId);
      governance.refusals.delete(toolCall.callId);
      const decided =
        refused ??
        (await governance.governed.decide(
          args,
          governance.call(context as RunContext<unknown>, toolCall.callId),
        ));
      if (decided.status === "allowed") {
        const stopped = await stoppedSince(governance, decided.decision.proposalId);
        if (stopped === undefined) {
          return { behavior: { type: "allow" }, outputInfo: { proposalId: decided.decision.proposalId } };
        }
        return {
          behavior: { type: "rejectContent", message: stopped },
          outputInfo: {
            status: "refused",
            code: "session_not_executable",
            proposalId: decided.decision.proposalId,
          },
        };
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

/**
 * Whether the session of an allowed, not yet started call was stopped since its decision (a kill switch sweep
 * pauses or aborts it; an operator may close it): the refusal text, after completing the proposal as not
 * executed; `undefined` when the call may start.
 */
async function stoppedSince(governance: ToolGovernance, proposalId: string): Promise<string | undefined> {
  const proposal = await governance.cp.getProposal(proposalId);
  if (proposal.status !== "executing") return undefined;
  const session = await governance.cp.getSession(proposal.sessionId);
  if (EXECUTABLE_STATUSES.includes(session.status)) return undefined;
  const why = session.statusReason ? `: ${session.statusReason}` : "";
  const message = `Refused by the control plane: session ${session.id} is ${session.status}${why}. The call was not executed.`;
  await governance.cp.complete(proposalId, {
    ok: false,
    cost: 0,
    error: message,
    output: { executed: false },
  });
  return message;
}
