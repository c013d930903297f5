import type { Storage, StorageTx } from "../../storage/storage.js";
import type { ProposalRecord } from "../../types/proposal-record.js";
import type { SessionRecord } from "../../types/session.js";
import type { ApprovalScope, TicketRecord } from "../../types/ticket.js";

/** Gives each conformance case a fresh storage. */
export interface ConformanceContext {
  /** The storage of the running test. */
  readonly storage: () => Storage;
  /** How many concurrent callers the concurrency cases use. */
  readonly concurrency: number;
}

/** A session record with sensible defaults. */
export function sessionRecord(id: string, patch: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    name: null,
    agentId: null,
    status: "active",
    policyId: "policy-1",
    maxCost: null,
    maxActions: null,
    usedCost: 0,
    usedActions: 0,
    lastSeq: 0,
    statusReason: null,
    createdAt: 1000,
    updatedAt: 1000,
    ...patch,
  };
}

/** A proposal record with sensible defaults. */
export function proposalRecord(
  id: string,
  sessionId: string,
  patch: Partial<ProposalRecord> = {},
): ProposalRecord {
  return {
    id,
    sessionId,
    agentId: null,
    action: "files.read",
    resourceType: "file",
    resourceId: "r1",
    args: { path: "/tmp/x" },
    metadata: {},
    fingerprint: `fp-${id}`,
    status: "pending_approval",
    outcome: "pending_approval",
    code: "approval_required",
    reason: "needs a human",
    riskLevel: "medium",
    tier: "always_approve",
    trace: [{ step: "policy", result: "always_approve" }],
    ticketId: null,
    cost: 0,
    reservedCost: 0,
    actualCost: null,
    output: null,
    error: null,
    createdAt: 1000,
    updatedAt: 1000,
    completedAt: null,
    ...patch,
  };
}

/**
 * An allowed, executing proposal that reserved 1,000 micros at `now` — the shape of a governed action, used by
 * the storage benchmarks and the multi-process workers.
 */
export function executingProposal(
  id: string,
  sessionId: string,
  now: number,
  patch: Partial<ProposalRecord> = {},
): ProposalRecord {
  return proposalRecord(id, sessionId, {
    agentId: "agent",
    resourceId: "/etc/hosts",
    fingerprint: id,
    status: "executing",
    outcome: "allowed",
    code: "auto_approved",
    reason: "auto-approved by policy",
    riskLevel: "low",
    tier: "auto_approve",
    trace: [{ step: "policy", result: "auto_approve" }],
    cost: 1_000,
    reservedCost: 1_000,
    createdAt: now,
    updatedAt: now,
    ...patch,
  });
}

/** A pending ticket with sensible defaults. */
export function ticketRecord(
  id: string,
  sessionId: string,
  proposalId: string,
  patch: Partial<TicketRecord> = {},
) {
  const t: TicketRecord = {
    id,
    sessionId,
    proposalId,
    request: {
      action: "files.write",
      agentId: "agent-1",
      resourceType: "file",
      resourceId: "r1",
      cost: 1_500_000,
      reason: "action files.write requires approval",
      riskLevel: "high",
      tier: "always_approve",
    },
    status: "pending",
    createdAt: 1000,
    deadlineAt: 5000,
    decidedAt: null,
    decidedBy: null,
    reason: null,
    scope: null,
    escalationLevel: 0,
    ...patch,
  };
  return t;
}

/** An allow-for-session scope with every predicate unset unless given. */
export function sessionScope(patch: Partial<ApprovalScope> = {}): ApprovalScope {
  return {
    kind: "session",
    actions: null,
    resourceIds: null,
    maxCostPerAction: null,
    remaining: null,
    expiresAt: null,
    ...patch,
  };
}

/** Runs `fn` in a write transaction. */
export function write<T>(storage: Storage, fn: (tx: StorageTx) => Promise<T>): Promise<T> {
  return storage.transaction(fn);
}

/** Inserts a session (and its policy snapshot) in its own transaction. */
export async function seedSession(storage: Storage, id: string, patch: Partial<SessionRecord> = {}) {
  await write(storage, async (tx) => {
    await tx.policies.put({ id: patch.policyId ?? "policy-1", document: { version: 1 }, createdAt: 1 });
    await tx.sessions.insert(sessionRecord(id, patch));
  });
}

/** Inserts a proposal and its ticket (same session) in one transaction. */
export async function seedTicket(
  storage: Storage,
  id: string,
  sessionId: string,
  patch: Partial<TicketRecord> = {},
  proposalPatch: Partial<ProposalRecord> = {},
) {
  await write(storage, async (tx) => {
    await tx.proposals.insert(proposalRecord(`p-${id}`, sessionId, proposalPatch));
    await tx.tickets.insert(ticketRecord(id, sessionId, `p-${id}`, patch));
  });
}

/** Approves a seeded ticket with the given scope. */
export async function approveWithScope(storage: Storage, id: string, scope: ApprovalScope | null, at = 2000) {
  const r = await write(storage, (tx) =>
    tx.tickets.decide(id, { status: "approved", decidedBy: "op", reason: null, scope, decidedAt: at }),
  );
  if (!r) throw new Error(`could not approve ticket ${id}`);
  return r;
}

/** Marker error thrown on purpose to roll a transaction back. */
export class Rollback extends Error {
  constructor() {
    super("rollback on purpose");
    this.name = "Rollback";
  }
}

/** Yields to the event loop a few times so that concurrent work can interleave. */
export async function yieldTurns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Numbers `0 … n-1`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
