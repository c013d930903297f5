import type { DecisionContext, StorageTx } from "../../storage/storage.js";
import type { AgentRecord } from "../../types/agent.js";
import type { TraceEntry } from "../../types/decision.js";
import type { SessionRecord } from "../../types/session.js";
import type { AgentPolicy } from "../router/route-proposal.js";

/**
 * The capabilities of a delegate: its own intersected with its delegator's (`"*"` stands for every action, so
 * it keeps the other side's list).
 * @example
 * intersectCapabilities(["read", "write"], ["read"]); // ["read"]
 * intersectCapabilities(["*"], ["read"]); // ["read"]
 */
export function intersectCapabilities(
  own: readonly string[],
  delegator: readonly string[],
): readonly string[] {
  if (delegator.includes("*")) return own;
  if (own.includes("*")) return delegator;
  return own.filter((capability) => delegator.includes(capability));
}

/** What the session-ownership check concluded for one proposal. */
export interface SessionAuthority {
  /**
   * The record the router checks identity and capabilities against: the acting agent's own, or — for a
   * delegate — the same record with its capabilities intersected with its delegator's.
   */
  readonly agent: AgentRecord | undefined;
  /** An explain-trace entry (a delegate acting, or a warning); absent when nothing is worth reporting. */
  readonly trace?: TraceEntry;
  /** Set (in `enforce` mode) when the agent may not act in the session: the proposal is denied. */
  readonly denial?: { readonly code: "not_session_agent"; readonly reason: string };
  /** Set (in `warn` mode) instead of `denial`: the proposal goes on with this warning. */
  readonly warning?: string;
}

/**
 * Sessions belong to agents: the acting agent may act in a session only if it owns it or the owner delegated
 * to it (`recordDelegation`, for this session or for all of the owner's sessions; not transitively).
 *
 * Checked like agent identity: only once any agent is registered, and only for a registered acting agent (an
 * unregistered one is denied `unknown_agent` by the router). A session without an owner (`agentId` null) is
 * open to every agent. The delegation is read (one query) only when the acting agent is not the owner; otherwise
 * the answer is synchronous (no promise on the hot path).
 */
export function sessionAuthority(
  tx: StorageTx,
  session: SessionRecord,
  context: Pick<DecisionContext, "agentId" | "agent" | "anyAgent">,
  agentPolicy: AgentPolicy = "enforce",
): SessionAuthority | Promise<SessionAuthority> {
  const { agentId: actor, agent } = context;
  const owner = session.agentId;
  if (!context.anyAgent || agent === undefined || owner === null || actor === null || actor === owner) {
    return { agent };
  }
  return delegateAuthority(tx, session, actor, owner, agent, agentPolicy);
}

async function delegateAuthority(
  tx: StorageTx,
  session: SessionRecord,
  actor: string,
  owner: string,
  agent: AgentRecord,
  agentPolicy: AgentPolicy,
): Promise<SessionAuthority> {
  const found = await tx.agents.findDelegation(owner, actor, session.id);
  if (found) {
    return {
      agent: {
        ...agent,
        capabilities: intersectCapabilities(agent.capabilities, found.delegator.capabilities),
      },
      trace: {
        step: "session_agent",
        result: "delegate",
        detail: `delegated by ${owner} (delegation ${found.delegation.id})`,
      },
    };
  }
  const reason = `Agent ${actor} may not act in session ${session.id}: it belongs to agent ${owner}, who has not delegated to ${actor}`;
  if (agentPolicy === "warn") {
    return { agent, trace: { step: "session_agent", result: "warn", detail: reason }, warning: reason };
  }
  return { agent, denial: { code: "not_session_agent", reason } };
}
