import type { AgentRecord } from "../../types/agent.js";
import type { NewEvent } from "../../types/event.js";
import type { LeaseRecord } from "../../types/lease.js";
import type { ProposalRecord, ProposalStatus } from "../../types/proposal-record.js";
import type { DecisionContext, DecisionContextQuery, IdempotencyRecord, ProposalPatch } from "../storage.js";

// The speculative fast path (see `Storage.speculation`): a snapshot read outside any transaction, the unchanged
// engine code run against a recorder of that snapshot, and the recorded plan applied in one statement that
// re-checks every assumption and applies every write with the port's guards.

/** What a speculative decision reads in its one snapshot round trip. */
export interface SpeculationQuery {
  /** The decision context the pipeline will ask for (answered only for exactly this query). */
  readonly context: DecisionContextQuery;
  /** The idempotency key of the request, if any (its record is read in the same round trip). */
  readonly idempotencyKey?: string;
}

/** Committed data read without a transaction and without the kill fence: every part is re-checked on apply. */
export interface SpeculationSnapshot {
  readonly query: SpeculationQuery;
  readonly context: DecisionContext;
  /** The record of `query.idempotencyKey`, or `undefined` (also when no key was asked for). */
  readonly idempotency: IdempotencyRecord | undefined;
}

/**
 * An assumption the recorded decision relied on. `apply` verifies each one after taking the kill fence (shared)
 * and the session row lock, and writes nothing when one no longer holds.
 */
export type PlanCheck =
  | {
      /** The decision context read: session status, owner and policy, no engaged kill switch, agents, retry. */
      readonly kind: "decision_context";
      readonly query: DecisionContextQuery;
      readonly sessionId: string;
      readonly status: string;
      readonly ownerId: string | null;
      readonly policyId: string;
      /** The acting agent id (query's, else the owner's). */
      readonly actorId: string | null;
      /** The acting agent's record as read (`null`: not registered). */
      readonly agent: AgentRecord | null;
      readonly anyAgent: boolean;
    }
  | { readonly kind: "idempotency_absent"; readonly key: string }
  | {
      /** The proposal row as the engine saw it (the fields a completion may find changed). */
      readonly kind: "proposal_unchanged";
      readonly id: string;
      readonly status: ProposalStatus;
      readonly reservedCost: number;
      readonly updatedAt: number;
    };

/** A recorded write, applied with the guard of the port method it stands for. */
export type PlanWrite =
  /** `leases.acquire`: only when the key is free (or held by the same owner); anything else is a conflict. */
  | { readonly op: "lease_acquire"; readonly lease: LeaseRecord; readonly now: number }
  /** `leases.release` (owner-guarded). */
  | { readonly op: "lease_release"; readonly key: string; readonly owner: string }
  /** `sessions.reserveBudget`: increment-if-within-limit; a refusal is a conflict. */
  | {
      readonly op: "budget_reserve";
      readonly sessionId: string;
      readonly cost: number;
      readonly actions: number;
      readonly now: number;
    }
  | { readonly op: "proposal_insert"; readonly record: ProposalRecord }
  /** `proposals.transition`: transition-if-status (`from`); a refusal is a conflict. */
  | {
      readonly op: "proposal_transition";
      readonly id: string;
      readonly from: readonly ProposalStatus[];
      readonly patch: ProposalPatch;
    }
  /** `events.append` of a session event (next seq, chain link, feed announcement). */
  | { readonly op: "event_append"; readonly event: NewEvent }
  | { readonly op: "idempotency_put"; readonly record: IdempotencyRecord };

/** Everything one speculative run recorded: checks first, then writes in call order. */
export interface SpeculationPlan {
  readonly checks: readonly PlanCheck[];
  readonly writes: readonly PlanWrite[];
}

/**
 * The optional speculative capability of a storage adapter (PostgreSQL): a decision in two round trips and a
 * completion in one, with the guarantees of a transaction.
 */
export interface Speculation {
  /** Reads the decision context (and the idempotency record) in one round trip, outside any transaction. */
  snapshot(query: SpeculationQuery): Promise<SpeculationSnapshot>;
  /**
   * Applies `plan` atomically in one round trip: takes the kill fence shared, verifies every check, then runs
   * every write with its port guard. Resolves `true` when applied, `false` when a check or guard failed (or the
   * statement lost a deadlock / serialization conflict): nothing was written and the caller takes the slow path.
   * Rejects (like a failed COMMIT) on any other failure: the outcome may then be unknown.
   */
  apply(plan: SpeculationPlan): Promise<boolean>;
}

/** Whether two status lists hold the same statuses. */
export function sameStatuses(a: readonly ProposalStatus[], b: readonly ProposalStatus[]): boolean {
  return a.length === b.length && a.every((s) => b.includes(s));
}
