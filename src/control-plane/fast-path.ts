import type { SpeculationPlan, SpeculationSnapshot } from "../storage/speculative/plan.js";
import { recordingTx } from "../storage/speculative/recorder.js";
import type { DecisionContext, DecisionContextQuery, StorageTx } from "../storage/storage.js";
import type { ProposalRecord, ProposalStatus } from "../types/proposal-record.js";
import { type PipelineContext, type PipelineResult, runProposePipeline } from "./propose-pipeline.js";
import type { Runtime } from "./runtime.js";

// The speculative fast path of `propose` and `complete` on storages with `speculation` (PostgreSQL): the
// unchanged pipeline / completion code runs against a recorder of a snapshot, and the recorded plan is applied in
// one statement that re-checks every assumption. Anything the recorder does not model, and any failed check,
// falls back to the normal transaction, whose outcome is then the one returned.

/** The retry statuses the pipeline asks the decision context for (a pending or approved predecessor). */
const RETRY_STATUSES: readonly ProposalStatus[] = ["approved", "pending_approval"];
/** How many proposals decided on the fast path each control plane remembers for a one-statement completion. */
const CACHE_LIMIT = 10_000;

const decidedFast = new WeakMap<Runtime, Map<string, ProposalRecord>>();
/**
 * The decision context of each (session, proposing agent) as the last successful fast apply left it. Used
 * instead of a snapshot read: every part the decision relies on is re-checked by the apply (session status,
 * owner, policy; kill switches; the agent's record and "any agent"; no retry predecessor; no idempotency record;
 * the budget by its guard), so a stale entry costs a refused apply and the normal transaction, never a wrong
 * decision. Dropped on any fallback.
 */
const knownContexts = new WeakMap<Runtime, Map<string, DecisionContext>>();

/**
 * Test hooks of the fast path, internal: `afterSnapshot` runs between the snapshot and the apply (e.g. to
 * engage a kill switch from another connection).
 * @internal
 */
export const fastPathHooks: { afterSnapshot?: () => Promise<void> } = {};

/** What {@link speculativePropose} concluded: a result, or the context the normal transaction must use. */
export type SpeculativeDecision =
  | { readonly result: PipelineResult }
  | { readonly result?: undefined; readonly ctx: PipelineContext };

/**
 * Decides `ctx` in two round trips when the storage supports it: snapshot, pipeline against the recorder,
 * apply — in one when this control plane already knows the session's context from its last fast apply (see
 * `knownContexts`). Returns the result, or (fast path not taken or refused) the context for the normal transaction — it
 * hands out again the ids the speculative run drew, in the same order, so ids do not depend on the path.
 */
export async function speculativePropose(rt: Runtime, ctx: PipelineContext): Promise<SpeculativeDecision> {
  const spec = rt.storage.speculation;
  if (spec === undefined) return { ctx };
  const issued: string[] = [];
  const drawing: PipelineContext = {
    ...ctx,
    newId: () => {
      const id = ctx.newId();
      issued.push(id);
      return id;
    },
  };
  const fallback = (): SpeculativeDecision => ({ ctx: issued.length === 0 ? ctx : reissuing(ctx, issued) });
  const query: DecisionContextQuery = {
    sessionId: ctx.proposal.sessionId,
    agentId: ctx.proposal.agentId,
    fingerprint: ctx.fingerprint,
    retryStatuses: RETRY_STATUSES,
  };
  const wanted =
    ctx.idempotencyKey === undefined
      ? { context: query }
      : { context: query, idempotencyKey: ctx.idempotencyKey };
  const contexts = cacheOf(knownContexts, rt);
  const contextKey = `${query.sessionId}\u0000${query.agentId ?? ""}`;
  const known = contexts.get(contextKey);
  const snapshot: SpeculationSnapshot =
    known === undefined
      ? await spec.snapshot(wanted)
      : { query: wanted, context: known, idempotency: undefined };
  const refused = () => {
    contexts.delete(contextKey);
    return fallback();
  };
  const recorder = recordingTx({ snapshot });
  let result: PipelineResult;
  try {
    result = await runProposePipeline(recorder.tx, drawing);
  } catch {
    // Unsupported (not modelled), or an error that the real transaction raises itself if it still holds.
    return refused();
  }
  // Evaluators run outside any transaction: nothing was recorded yet, the second pass is a normal transaction.
  if (result.kind === "route_async") return { result };
  await fastPathHooks.afterSnapshot?.();
  const plan = recorder.plan();
  if (!(await spec.apply(plan))) return refused();
  for (const w of plan.writes) {
    if (w.op === "proposal_insert" && w.record.status === "executing")
      remember(cacheOf(decidedFast, rt), w.record.id, w.record);
  }
  const next = advance(snapshot.context, plan);
  if (next !== undefined) remember(contexts, contextKey, next);
  return { result };
}

/**
 * Completes `proposalId` in one round trip when it was decided on this control plane's fast path and the
 * completion needs nothing the recorder does not model: `run` (the completion) against the cached row, then
 * apply (which verifies the row is unchanged and still executing). `undefined`: take the normal transaction.
 */
export async function speculativeComplete<T>(
  rt: Runtime,
  proposalId: string,
  run: (tx: StorageTx, now: number) => Promise<T>,
): Promise<{ readonly value: T } | undefined> {
  const spec = rt.storage.speculation;
  const cache = decidedFast.get(rt);
  const cached = cache?.get(proposalId);
  if (spec === undefined || cached === undefined) return undefined;
  cache!.delete(proposalId);
  const recorder = recordingTx({ proposal: (id) => (id === proposalId ? cached : undefined) });
  let value: T;
  try {
    value = await run(recorder.tx, rt.clock.now());
  } catch {
    return undefined;
  }
  if (!(await spec.apply(recorder.plan()))) return undefined;
  return { value };
}

function cacheOf<V>(caches: WeakMap<Runtime, Map<string, V>>, rt: Runtime): Map<string, V> {
  let cache = caches.get(rt);
  if (cache === undefined) {
    cache = new Map();
    caches.set(rt, cache);
  }
  return cache;
}

/** Sets `key` as the newest entry of a bounded cache (the oldest entry goes beyond {@link CACHE_LIMIT}). */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
}

/** The context after `plan` was applied: budget reserved and events appended (as far as this process knows). */
function advance(context: DecisionContext, plan: SpeculationPlan): DecisionContext | undefined {
  if (context.session === undefined) return undefined;
  let session = context.session;
  for (const w of plan.writes) {
    if (w.op === "budget_reserve" && w.sessionId === session.id) {
      session = {
        ...session,
        usedCost: session.usedCost + w.cost,
        usedActions: session.usedActions + w.actions,
        updatedAt: w.now,
      };
    } else if (w.op === "event_append" && w.event.sessionId === session.id) {
      session = { ...session, lastSeq: session.lastSeq + 1 };
    }
  }
  return { ...context, session, killSwitch: undefined, retry: undefined };
}

function reissuing(ctx: PipelineContext, ids: readonly string[]): PipelineContext {
  let next = 0;
  return { ...ctx, newId: () => (next < ids.length ? ids[next++]! : ctx.newId()) };
}
