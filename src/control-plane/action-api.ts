import { settleBudget } from "../engines/budgets/budget-tracker.js";
import { executionLeaseKey, unlockResource } from "../engines/concurrency/resource-lock.js";
import { replayAfterFailure } from "../engines/idempotency/idempotent.js";
import { parseProposal } from "../engines/router/parse-proposal.js";
import { routeProposal } from "../engines/router/route-proposal.js";
import { InvalidTransitionError, NotFoundError } from "../errors/control-plane-error.js";
import { assertKnownKeys, checkKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";
import type { StorageTx, TransactionOptions } from "../storage/storage.js";
import type { JsonValue } from "../types/json.js";
import { checkJsonValue } from "../types/json-limits.js";
import { collectMicros, formatMicros } from "../types/money.js";
import type { ProposalInput } from "../types/proposal.js";
import type { Decision } from "./decision.js";
import { speculativeComplete, speculativePropose } from "./fast-path.js";
import { type PipelineContext, runProposePipeline } from "./propose-pipeline.js";
import { checkIdempotencyKey, proposalFingerprint, type Runtime } from "./runtime.js";
import { type ProposalView, proposalView } from "./views.js";

/**
 * Decides a proposal: validates it, runs the decision core and every stateful step, and persists proposal,
 * ticket, budget reservation, lock and events in one transaction. Evaluators (if the policy has any) run
 * between two transactions so that no transaction waits on them.
 */
export async function propose(rt: Runtime, input: ProposalInput, options?: CallOptions): Promise<Decision> {
  rt.assertOpen();
  checkCallOptions(options);
  const proposal = parseProposal(input, rt.jsonLimits);
  const idempotencyKey = input.idempotencyKey;
  checkIdempotencyKey(idempotencyKey);
  const ctx: PipelineContext = {
    proposal,
    fingerprint: proposalFingerprint(proposal),
    idempotencyKey,
    now: rt.clock.now(),
    newId: rt.ids,
    lockTtlMs: rt.lockTtlMs,
    policyFor: rt.policyFor,
    route: (policy, p, agent, sessionRisk) =>
      routeProposal(policy, p, { agent, agentPolicy: rt.agentPolicy, sessionRisk }),
    agentPolicy: rt.agentPolicy,
    tokens: { prices: rt.modelPrices, ttlMs: rt.tokenReservationTtlMs },
  };
  const txOptions = transactionOptions(options);
  const decide = async () => {
    // Two round trips on a storage with `speculation` (PostgreSQL); otherwise, or when refused, a transaction.
    const fast = txOptions === undefined ? await speculativePropose(rt, ctx) : { ctx };
    const first =
      fast.result ?? (await rt.storage.transaction((tx) => runProposePipeline(tx, fast.ctx), txOptions));
    if (first.kind === "decided") return first.decision;
    const routed = await first.routing;
    const second = await rt.storage.transaction(
      (tx) => runProposePipeline(tx, { ...ctx, now: rt.clock.now(), routed }),
      txOptions,
    );
    if (second.kind !== "decided") throw new Error("unreachable: routing was precomputed");
    return second.decision;
  };
  if (idempotencyKey === undefined || txOptions !== undefined) return decide();
  // A concurrent propose with the same key may commit first: the loser then gets the winner's decision.
  return decide().catch(
    async (error: unknown) =>
      (await replayAfterFailure(
        rt.storage,
        idempotencyKey,
        "propose",
        ctx.fingerprint,
        error,
      )) as unknown as Decision,
  );
}

/** Per-call options of `propose` and `complete`. */
export interface CallOptions {
  /**
   * Run inside the host's own open transaction (a `pg` client after BEGIN or a Kysely transaction on
   * PostgreSQL; a better-sqlite3 database inside BEGIN or a Kysely transaction on SQLite): the governance writes
   * then commit or roll back with the host's business writes.
   */
  readonly transaction?: unknown;
}

const CALL_OPTION_KEYS: readonly string[] = ["transaction"];
const COMPLETION_KEYS: readonly string[] = ["ok", "cost", "output", "error", "idempotencyKey"];

function checkCallOptions(options: CallOptions | undefined): void {
  assertKnownKeys(options, CALL_OPTION_KEYS, "options.", "call options");
}

function transactionOptions(options: CallOptions | undefined): TransactionOptions | undefined {
  return options?.transaction === undefined ? undefined : { external: options.transaction };
}

/** What the host reports after executing an allowed action. */
export interface CompletionInput {
  /** Whether the side effect succeeded. */
  readonly ok: boolean;
  /** Actual cost in currency units; defaults to the estimated (reserved) cost. */
  readonly cost?: number | string;
  /** A JSON result to keep in the audit record. */
  readonly output?: JsonValue;
  /** Error message when `ok` is false. */
  readonly error?: string;
  readonly idempotencyKey?: string;
}

/**
 * Records the outcome of an executing proposal, reconciles its budget reservation with the actual cost,
 * releases its resource lock and appends `execution_completed` / `execution_failed`.
 * @throws NotFoundError for an unknown proposal; InvalidTransitionError if it is not executing;
 *   ValidationError naming each bad field.
 */
export async function complete(
  rt: Runtime,
  proposalId: string,
  input: CompletionInput,
  options?: CallOptions,
): Promise<ProposalView> {
  const issues: ValidationIssue[] = [];
  checkCallOptions(options);
  if (typeof proposalId !== "string" || proposalId === "")
    issues.push({ path: "proposalId", message: "expected a non-empty string" });
  if (input === null || typeof input !== "object")
    throw new ValidationError([{ path: "completion", message: "expected an object" }]);
  checkKnownKeys(input, COMPLETION_KEYS, "", issues);
  if (typeof input.ok !== "boolean") issues.push({ path: "ok", message: "expected a boolean" });
  const actual = collectMicros(input.cost, "cost", issues);
  if (input.output !== undefined) {
    const issue = checkJsonValue(input.output, "output", rt.jsonLimits);
    if (issue) issues.push(issue);
  }
  if (input.error !== undefined && typeof input.error !== "string")
    issues.push({ path: "error", message: "expected a string" });
  if (issues.length > 0) throw new ValidationError(issues, "completion");

  const request = { proposalId, ok: input.ok, cost: actual, output: input.output, error: input.error };
  const run = async (tx: StorageTx, now: number): Promise<ProposalView> => {
    const current = await tx.proposals.get(proposalId);
    if (!current) throw new NotFoundError("proposal", proposalId);
    const cost = actual ?? current.reservedCost;
    // A late report after recovery recorded `outcome_unknown` still records the real outcome.
    const done = await tx.proposals.transition(proposalId, ["executing", "outcome_unknown"], {
      status: input.ok ? "succeeded" : "failed",
      actualCost: cost,
      output: input.output ?? null,
      error: input.ok ? null : (input.error ?? "execution failed"),
      completedAt: now,
      updatedAt: now,
    });
    if (!done)
      throw new InvalidTransitionError(
        "proposal",
        proposalId,
        current.status,
        input.ok ? "succeeded" : "failed",
      );
    const { overrun, session } = await settleBudget(tx, done.sessionId, done.reservedCost, cost, now);
    await unlockResource(tx, executionLeaseKey(done), done.id);
    await tx.events.append({
      sessionId: done.sessionId,
      kind: input.ok ? "execution_completed" : "execution_failed",
      agentId: done.agentId,
      proposalId: done.id,
      payload: {
        action: done.action,
        cost: formatMicros(cost),
        ...(input.ok ? {} : { error: done.error }),
        ...(current.status === "outcome_unknown" ? { late: true } : {}),
      },
      at: now,
    });
    if (overrun && session) {
      await tx.events.append({
        sessionId: done.sessionId,
        kind: "budget_exhausted",
        agentId: done.agentId,
        proposalId: done.id,
        payload: {
          reason: "actual cost exceeded the reservation",
          usedCost: formatMicros(session.usedCost),
          maxCost: formatMicros(session.maxCost ?? 0),
        },
        at: now,
      });
    }
    return proposalView(done);
  };
  if (input.idempotencyKey === undefined && options?.transaction === undefined) {
    // One round trip for a proposal decided on this control plane's fast path (see fast-path.ts).
    rt.assertOpen();
    const fast = await speculativeComplete(rt, proposalId, run);
    if (fast !== undefined) return fast.value;
  }
  return rt.mutate("complete", input.idempotencyKey, request, run, transactionOptions(options));
}
