import { NotFoundError } from "../../errors/control-plane-error.js";
import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import type { StorageTx } from "../../storage/storage.js";
import type { AgentRecord, DelegationRecord } from "../../types/agent.js";
import { normalizeAction } from "../../types/proposal.js";

/** Input of agent registration. Capabilities are action names (normalised); `"*"` grants every action. */
export interface AgentInput {
  readonly id: string;
  readonly name?: string;
  readonly capabilities?: readonly string[];
  readonly tags?: readonly string[];
}

/**
 * Validates and normalises an agent registration.
 * @throws ValidationError naming each bad field.
 */
export function parseAgentInput(input: AgentInput, now: number): AgentRecord {
  const issues: ValidationIssue[] = [];
  if (typeof input?.id !== "string" || input.id.trim() === "")
    issues.push({ path: "id", message: "expected a non-empty string" });
  if (input?.name !== undefined && typeof input.name !== "string")
    issues.push({ path: "name", message: "expected a string" });
  const list = (value: unknown, path: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      issues.push({ path, message: "expected an array of strings" });
      return [];
    }
    value.forEach((v, i) => {
      if (typeof v !== "string" || v.trim() === "")
        issues.push({ path: `${path}[${i}]`, message: "expected a non-empty string" });
    });
    return value.filter((v): v is string => typeof v === "string");
  };
  const capabilities = list(input?.capabilities, "capabilities").map(normalizeAction);
  const tags = list(input?.tags, "tags").map((t) => t.trim());
  if (issues.length > 0) throw new ValidationError(issues, "agent");
  const id = input.id.trim();
  return { id, name: input.name ?? id, capabilities, tags, createdAt: now, updatedAt: now };
}

/** Registers (or updates) an agent and records `agent_registered` in the system stream. */
export async function registerAgent(tx: StorageTx, agent: AgentRecord): Promise<AgentRecord> {
  const stored = await tx.agents.upsert(agent);
  await tx.events.append({
    sessionId: null,
    kind: "agent_registered",
    agentId: agent.id,
    payload: { name: agent.name, capabilities: [...agent.capabilities], tags: [...agent.tags] },
    at: agent.updatedAt,
  });
  return stored;
}

/**
 * Records a delegation between two registered agents.
 * @throws NotFoundError when either agent is not registered.
 */
export async function recordDelegation(
  tx: StorageTx,
  delegation: DelegationRecord,
): Promise<DelegationRecord> {
  for (const id of [delegation.fromAgentId, delegation.toAgentId]) {
    if (!(await tx.agents.get(id))) throw new NotFoundError("agent", id);
  }
  if (delegation.sessionId !== null && !(await tx.sessions.get(delegation.sessionId))) {
    throw new NotFoundError("session", delegation.sessionId);
  }
  await tx.agents.insertDelegation(delegation);
  await tx.events.append({
    sessionId: delegation.sessionId,
    kind: "delegation_recorded",
    agentId: delegation.fromAgentId,
    payload: { from: delegation.fromAgentId, to: delegation.toAgentId, task: delegation.task },
    at: delegation.createdAt,
  });
  return delegation;
}
