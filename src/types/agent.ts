/**
 * A registered agent identity. `capabilities` lists the (normalised) action names the agent may propose;
 * `"*"` grants every action.
 */
export interface AgentRecord {
  readonly id: string;
  readonly name: string;
  readonly capabilities: readonly string[];
  readonly tags: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A recorded delegation of a task from one agent to another. */
export interface DelegationRecord {
  readonly id: string;
  readonly fromAgentId: string;
  readonly toAgentId: string;
  readonly sessionId: string | null;
  readonly task: string;
  readonly createdAt: number;
}
