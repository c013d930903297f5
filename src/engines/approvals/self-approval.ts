import { ControlPlaneError } from "../../errors/control-plane-error.js";

/** Why a person may not decide a ticket: they are a party to the request. */
export type SelfApprovalRole = "acting agent" | "session owner";

/** The parties to an approval request: who proposed the action and who owns its session. */
export interface ApprovalParties {
  /** The agent that made the proposal (the session's owner when the proposal named none). */
  readonly actingAgentId: string | null;
  /** The session's owner, if the session has one. */
  readonly ownerId: string | null;
}

const same = (a: string, b: string | null): boolean => b !== null && a.trim() === b.trim();

/**
 * Which party of the request `decidedBy` is, if any: the proposal's acting agent or the session's owner.
 * Ids are compared exactly after trimming surrounding spaces.
 * @example
 * selfApprovalRole("bot", { actingAgentId: "bot", ownerId: null }); // "acting agent"
 */
export function selfApprovalRole(decidedBy: string, parties: ApprovalParties): SelfApprovalRole | undefined {
  if (same(decidedBy, parties.actingAgentId)) return "acting agent";
  if (same(decidedBy, parties.ownerId)) return "session owner";
  return undefined;
}

/**
 * The error refusing a human decision by a party to the request (code `self_approval`, HTTP 403). Nothing is
 * changed by a refused call.
 */
export function selfApprovalError(
  verdict: "approve" | "deny",
  ticketId: string,
  decidedBy: string,
  role: SelfApprovalRole,
): ControlPlaneError {
  return new ControlPlaneError(
    "self_approval",
    `decidedBy ${JSON.stringify(decidedBy)} may not ${verdict} ticket ${JSON.stringify(ticketId)}: it is the ` +
      `${role} of the request (a policy may allow it with approvals.allowSelfApproval: true)`,
    { details: { ticketId, decidedBy, role } },
  );
}
